"""BuildKit's word splits of a logical line, each word with where it stands.

In: one instruction's logical line (continuations joined, see syntax/lines.py) or a part of
it, and the escape character. Out: `Token`s: the word as BuildKit reads it (`value`) and its
offsets `[start, end)` in the text that was split, so that the syntax tree can map every value
back to the source bytes it came from.

Three rules, each mirroring one Go function of frontend/dockerfile/parser, quirks included:

- `builder_flags`: extractBuilderFlags, the `--flag` words after the keyword. Go walks the line
  byte by byte here, so a byte 0x85 or 0xA0 inside a multi-byte character counts as white space
  and a multi-byte character reaches the value as one Latin-1 character per byte.
- `shell_words`: parseWords (ARG, ENV, LABEL), white-space separated words with quotes and
  escapes kept as characters.
- `whitespace_words`: parseStringsWhitespaceDelimited (FROM, EXPOSE, COPY and ADD in shell form).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pyenvc.docker import gotext

# reWhitespace in parser.go
WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_GO_WORD = re.compile(f"[^{gotext.SPACE_CHARS}]+")
_ASCII_WORD = re.compile(r"[^\t\n\v\f\r ]+")
# what `unicode.IsSpace(rune(line[i]))` skips; 0x85 and 0xA0 alone are never valid UTF-8
_BYTE_SPACES = re.compile("[\t\n\v\f\r \udc85\udca0]*")
_IN_SPACES, _IN_WORD, _IN_QUOTE = range(3)


class Token(NamedTuple):
    value: str  # the word as BuildKit reads it
    start: int  # offsets into the split text
    end: int


def _char_offsets(text: str) -> list[int]:
    """For each byte offset of `text`'s UTF-8 form, the offset of the character it is in (or
    the one after the last): byte offsets of a byte walk, turned back into offsets of `text`."""
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets += [index] * len(gotext.to_bytes(char))
    offsets.append(len(text))
    return offsets


def builder_flags(line: str, escape: str) -> tuple[list[Token], int]:
    """extractBuilderFlags: the flag words, and where the rest of the line starts."""
    if "--" not in line:  # no flag can start without it; Go skips bytes that are spaces
        return [], _BYTE_SPACES.match(line).end()
    if line.isascii() and escape not in line and "'" not in line and '"' not in line:
        return _plain_flags(line)
    return walk_flags(line, escape)


def _plain_flags(line: str) -> tuple[list[Token], int]:
    """extractBuilderFlags for a line with no quotes, escapes or non-ASCII bytes, where words
    are plain runs of non-space characters."""
    tokens = []
    for match in _ASCII_WORD.finditer(line):
        word = match.group()
        if not word.startswith("--"):
            return tokens, match.start()
        if word == "--":
            return tokens, match.end()
        tokens.append(Token(word, match.start(), match.end()))
    return tokens, len(line)


def walk_flags(line: str, escape: str) -> tuple[list[Token], int]:
    """extractBuilderFlags, byte by byte, as Go does it."""
    raw = gotext.bytewise(line)
    length = len(raw)
    tokens: list[tuple[str, int, int]] = []
    word: list[str] = []
    phase, quote, blank_ok, start = _IN_SPACES, "", False, 0
    pos = 0
    rest = length
    while pos <= length:
        ch = raw[pos] if pos != length else ""
        if phase == _IN_SPACES:
            if pos == length:
                break
            if gotext.is_space(ch):
                pos += 1
                continue
            if ch != "-" or pos + 1 == length or raw[pos + 1] != "-":
                rest = pos
                break
            phase, start = _IN_WORD, pos
        if phase in (_IN_WORD, _IN_QUOTE) and pos == length:
            text = "".join(word)
            if text != "--" and (blank_ok or text):
                tokens.append((text, start, pos))
            break
        if phase == _IN_WORD:
            if gotext.is_space(ch):
                phase = _IN_SPACES
                text = "".join(word)
                if text == "--":
                    rest = pos
                    break
                if blank_ok or text:
                    tokens.append((text, start, pos))
                word, blank_ok = [], False
                pos += 1
                continue
            if ch in "'\"":
                quote, blank_ok, phase = ch, True, _IN_QUOTE
                pos += 1
                continue
            if ch == escape:
                if pos + 1 == length:
                    pos += 1
                    continue
                pos += 1
                ch = raw[pos]
            word.append(ch)
            pos += 1
            continue
        # in a quote
        if ch == quote:
            phase = _IN_WORD
            pos += 1
            continue
        if ch == escape:
            if pos + 1 == length:
                phase = _IN_WORD
                pos += 1
                continue
            pos += 1
            ch = raw[pos]
        word.append(ch)
        pos += 1
    # values stay Latin-1 per byte, as Go's dump shows them; offsets go back to characters
    if line.isascii():
        return [Token(*token) for token in tokens], rest
    chars = _char_offsets(line)
    return [Token(text, chars[a], chars[b]) for text, a, b in tokens], chars[rest]


def shell_words(rest: str, escape: str) -> list[Token]:
    """parseWords: white-space separated words; quotes and escapes kept as characters."""
    if escape not in rest and "'" not in rest and '"' not in rest:
        return [Token(m.group(), m.start(), m.end()) for m in _GO_WORD.finditer(rest)]
    return walk_words(rest, escape)


def walk_words(rest: str, escape: str) -> list[Token]:
    """parseWords, character by character, as Go does it."""
    tokens: list[Token] = []
    word: list[str] = []
    phase, quote, blank_ok, start = _IN_SPACES, "", False, 0
    length = len(rest)
    pos = 0
    while pos <= length:
        ch = rest[pos] if pos != length else ""
        if phase == _IN_SPACES:
            if pos == length:
                break
            if gotext.is_space(ch):
                pos += 1
                continue
            phase, start = _IN_WORD, pos
        if phase in (_IN_WORD, _IN_QUOTE) and pos == length:
            if blank_ok or word:
                tokens.append(Token("".join(word), start, pos))
            break
        if phase == _IN_WORD:
            if gotext.is_space(ch):
                phase = _IN_SPACES
                if blank_ok or word:
                    tokens.append(Token("".join(word), start, pos))
                word, blank_ok = [], False
                pos += 1
                continue
            if ch in "'\"":
                quote, blank_ok, phase = ch, True, _IN_QUOTE
            if ch == escape:
                if pos + 1 == length:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        # in a quote
        if ch == quote:
            phase = _IN_WORD
        if ch == escape and quote != "'":
            if pos + 1 == length:
                phase = _IN_WORD
                pos += 1
                continue
            pos += 1
            word.append(ch)
            ch = rest[pos]
        word.append(ch)
        pos += 1
    return tokens


def whitespace_words(rest: str) -> list[Token]:
    """parseStringsWhitespaceDelimited: split at BuildKit's reWhitespace, nothing else."""
    if not rest:
        return []
    tokens, pos = [], 0
    for match in WHITESPACE.finditer(rest):
        tokens.append(Token(rest[pos : match.start()], pos, match.start()))
        pos = match.end()
    tokens.append(Token(rest[pos:], pos, len(rest)))
    return tokens
