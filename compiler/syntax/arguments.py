"""An instruction's arguments as BuildKit reads them, each value with its span in the source.

In: one instruction node (its logical line and escape character). Out: `Arguments`: the flags,
the argument words of the instruction's family, the name=value pairs of ENV, LABEL and ARG,
RUN's mounts, ONBUILD's trigger keyword, and BuildKit's own parse (for `to_buildkit`).

Which words an instruction has is BuildKit's dispatch table (docker/buildkit.py), and how a
family splits them is one of its three word rules (docker/words.py): this module only puts the
two together and maps every word back to the source. It runs once per node, on first use.
PYENV is not BuildKit's: its words are split at white space (Go's, so a U+00A0 between words
separates them as it would in ENV) and used as written.
"""

from __future__ import annotations

import re
from typing import Optional

import attrs

from pyenvc.docker import buildkit, words
from pyenvc.docker.gotext import SPACE_CHARS
from pyenvc.docker.words import Token
from pyenvc.syntax.tree import Flag, Instruction, Pair, Span, Word

_GO_WORD = re.compile(f"[^{SPACE_CHARS}]+")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@attrs.frozen
class MountOption:
    """One `key=value` of a `--mount=` flag."""

    key: str
    value: str
    word: Optional[Word]  # the value with its span, where the flag is written plainly; else None


@attrs.frozen
class Mount:
    """A `RUN --mount=type=cache,target=/x,...` flag, read as comma-separated options."""

    flag: Flag
    options: tuple[MountOption, ...]

    def option(self, key: str) -> Optional[MountOption]:
        found = None
        for option in self.options:
            if option.key.lower() == key:
                found = option
        return found


@attrs.frozen
class Arguments:
    flags: tuple[Flag, ...] = ()
    words: tuple[Word, ...] = ()  # the family's argument words (JSON items in exec form)
    json: bool = False
    pairs: tuple[Pair, ...] = ()  # ENV, LABEL, ARG
    mounts: tuple[Mount, ...] = ()  # RUN
    trigger_keyword: Optional[Word] = None  # ONBUILD


def _word(node: Instruction, logical: str, token: Token, base: int = 0) -> Word:
    start, end = base + token.start, base + token.end
    return Word(token.value, logical[start:end], node.span_of(start, end))


def _flag(node: Instruction, logical: str, token: Token) -> Flag:
    name, eq, value = token.value[2:].partition("=")
    return Flag(name, value if eq else None, _word(node, logical, token))


def _whole(rest: str) -> list[Token]:
    return [Token(rest, 0, len(rest))] if rest else []


def _json_items(rest: str, items: list) -> list[Token]:
    """The JSON array's strings with their offsets, where each can be found; else each item
    spans the whole array."""
    found = list(_JSON_STRING.finditer(rest))
    if len(found) == len(items):
        return [Token(item, m.start(), m.end()) for item, m in zip(items, found)]
    return [Token(item, 0, len(rest)) for item in items]


def read(node: Instruction) -> Arguments:
    logical = node.logical
    if node.command == "pyenv":
        return _pyenv(node, logical)
    try:
        parsed = node.parsed
    except buildkit.BuildKitError:  # only a generated node can get here; the scanner checked the rest
        return Arguments()
    command = parsed.command
    name = command.keyword.lower()
    flags = tuple(_flag(node, logical, token) for token in command.flag_tokens)
    rest, base = command.args, command.args_start
    tokens: list[Token] = []
    pairs: tuple[Pair, ...] = ()
    mounts: tuple[Mount, ...] = ()
    trigger = None
    if parsed.json:
        tokens = _json_items(rest, parsed.next)
    elif name in ("from", "expose", "copy", "add", "volume"):
        tokens = words.whitespace_words(rest)
    elif name in ("run", "cmd", "entrypoint", "shell", "user", "workdir", "maintainer", "stopsignal"):
        tokens = _whole(rest)
    elif name in ("env", "label", "arg"):
        pairs = _pairs(node, logical, name, rest, base)
    elif name == "onbuild" and parsed.sub is not None:
        keyword = parsed.sub.command.keyword
        trigger = Word(keyword, keyword, node.span_of(base, base + len(keyword)))
    if name == "run":
        mounts = tuple(_mount(node, flag) for flag in flags if flag.name.lower() == "mount" and flag.value is not None)
    return Arguments(
        flags,
        tuple(_word(node, logical, token, base) for token in tokens),
        parsed.json,
        pairs,
        mounts,
        trigger,
    )


def _pairs(node: Instruction, logical: str, name: str, rest: str, base: int) -> tuple[Pair, ...]:
    tokens = words.shell_words(rest, node.escape)
    if not tokens:
        return ()
    if name != "arg" and "=" not in tokens[0].value:  # the legacy `ENV name value`
        gap = words.WHITESPACE.search(rest)
        if gap is None:
            return ()
        key = Token(rest[: gap.start()], 0, gap.start())
        value = Token(rest[gap.end() :], gap.end(), len(rest))
        return (Pair(_word(node, logical, key, base), _word(node, logical, value, base), legacy=True),)
    pairs = []
    for token in tokens:
        key, eq, value = token.value.partition("=")
        # parseWords keeps quotes and escapes as characters, so the value starts right after `=`
        name_token = Token(key, token.start, token.start + len(key))
        value_token = Token(value, token.start + len(key) + 1, token.end) if eq else None
        pairs.append(
            Pair(
                _word(node, logical, name_token, base),
                _word(node, logical, value_token, base) if value_token is not None else None,
            )
        )
    return tuple(pairs)


def _mount(node: Instruction, flag: Flag) -> Mount:
    value = flag.value or ""
    # where the flag is written plainly, each option's value is a run of the flag's own text
    plain = flag.word.raw == f"--{flag.name}={value}" and flag.word.span.start >= 0
    offset = flag.word.span.start + len(flag.name) + 3
    options = []
    for part in value.split(","):
        key, _eq, option_value = part.partition("=")
        word = None
        start = offset + len(key) + 1
        end = start + len(option_value)
        if plain and node.text[start - node.start : end - node.start] == option_value:
            word = Word(option_value, option_value, Span(start, end))
        options.append(MountOption(key, option_value, word))
        offset += len(part) + 1
    return Mount(flag, tuple(options))


def _pyenv(node: Instruction, logical: str) -> Arguments:
    tokens = [Token(m.group(), m.start(), m.end()) for m in _GO_WORD.finditer(logical)][1:]
    flags = []
    while tokens and tokens[0].value.startswith("--"):
        flags.append(_flag(node, logical, tokens.pop(0)))
    return Arguments(tuple(flags), tuple(_word(node, logical, token) for token in tokens))
