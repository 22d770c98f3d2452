"""Go's text primitives that BuildKit's parser relies on, reproduced exactly.

BuildKit trims and splits with Go's `unicode.IsSpace`, which differs from Python's
`str.isspace` (Go: no U+001C..U+001F; Python: yes), quotes dumps with `strconv.Quote`, and in
places walks a line byte by byte. Input text here is a file decoded as UTF-8 with
`surrogateescape`, so a byte that is not UTF-8 is a lone surrogate U+DC80..U+DCFF.
"""

from __future__ import annotations

import re

# Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property above U+00FF;
# as a regex character class, and as the characters themselves.
SPACE_CHARS = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_SPACE_SET = frozenset(_SPACES)


def is_space(char: str) -> bool:
    """unicode.IsSpace; on the Latin-1 characters of a byte walk, what Go's
    `unicode.IsSpace(rune(line[i]))` says of each byte."""
    return char in _SPACE_SET


def lstrip(text: str) -> str:
    """bytes.TrimLeftFunc(text, unicode.IsSpace)"""
    return text.lstrip(_SPACES)


def strip(text: str) -> str:
    """strings.TrimSpace"""
    return text.strip(_SPACES)


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def from_bytes(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def bytewise(text: str) -> str:
    """The text as Go's `rune(line[i])` walk sees it: one Latin-1 character per byte."""
    return to_bytes(text).decode("latin-1")


def _quote_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char]
    if char.isprintable():
        return char
    if code < 0x80:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


_SIMPLE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}
# Every character but printable ASCII other than " and \\: the ones strconv.Quote may escape.
_SPECIAL = re.compile(r'[^ !#-\[\]-~]')
# The ASCII ones, as one table for str.translate.
_ASCII_ESCAPES = {code: _quote_char(chr(code)) for code in range(128) if _SPECIAL.match(chr(code))}


def quote(text: str) -> str:
    """strconv.Quote"""
    if text.isascii():
        return '"' + text.translate(_ASCII_ESCAPES) + '"'
    return '"' + _SPECIAL.sub(lambda match: _quote_char(match.group()), text) + '"'


def quote_list(items: list[str]) -> str:
    """fmt.Sprintf("%q", []string{...})"""
    return "[" + " ".join(quote(item) for item in items) + "]"
