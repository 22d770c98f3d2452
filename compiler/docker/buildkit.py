"""How Docker (BuildKit's parser) reads each instruction: the command split, flags, the
argument split per instruction, heredoc delimiters, and the `Node.Dump` text.

This mirrors `frontend/dockerfile/parser` (parser.go, line_parsers.go, split_command.go) rule
for rule, quirks included, because pyenvc must read a Dockerfile exactly as Docker does. The
lossless tree (syntax.py) keeps the bytes; this module says what they mean to Docker.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple, Optional

from pyenvc.docker import gotext
from pyenvc.docker import shell, words
from pyenvc.docker.words import WHITESPACE, Token

# The instructions BuildKit knows (frontend/dockerfile/command/command.go). Its parser takes any
# keyword; the next step (instructions.Parse) rejects the others: "unknown instruction".
COMMANDS = frozenset({
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
})
HEREDOC_COMMANDS = frozenset({"run", "copy", "add"})
# Go's `\d` is ASCII only (Python's takes any script's digits)
_HEREDOC_WORD = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")


class BuildKitError(Exception):
    """An error BuildKit's parser raises for an instruction's arguments."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Command(NamedTuple):
    keyword: str  # as written
    flags: list  # ["--from=x", ...] as BuildKit reports them
    args: str  # what remains, trimmed
    flag_tokens: list = []  # the flags with their offsets in the logical line
    args_start: int = 0  # where `args` starts in the logical line


class Parsed(NamedTuple):
    """One instruction as BuildKit's line parser leaves it."""

    command: Command
    next: list  # the argument words; for ONBUILD, the inner instruction's
    json: bool
    sub: Optional["Parsed"]  # ONBUILD's inner instruction


def split_command(line: str, escape: str = "\\") -> Command:
    """splitCommand: the keyword, the leading `--flags`, and the rest."""
    stripped = gotext.strip(line)
    lead = len(line) - len(gotext.lstrip(line))
    gap = WHITESPACE.search(stripped)
    if gap is None:
        return Command(stripped, [], "", [], len(line))
    after = stripped[gap.end() :]
    tokens, rest = words.builder_flags(after, escape)
    args = after[rest:]
    skipped = len(args) - len(gotext.lstrip(args))
    base = lead + gap.end()
    flag_tokens = [Token(t.value, base + t.start, base + t.end) for t in tokens]
    return Command(stripped[: gap.start()], [t.value for t in tokens], gotext.strip(args), flag_tokens, base + rest + skipped)


def parse_words(rest: str, escape: str) -> list[str]:
    """parseWords: white-space separated words; quotes and escapes kept as characters."""
    return [token.value for token in words.shell_words(rest, escape)]


def check_instruction(line: str, escape: str) -> None:
    """Raise BuildKitError where BuildKit's line parser rejects the instruction; the same
    verdict as parse_instruction, without building the argument lists where it can."""
    command = split_command(line, escape)
    name = command.keyword.lower()
    if name not in ("env", "label"):
        parse_instruction(line, escape)
        return
    rest = command.args
    words = parse_words(rest, escape)
    if not words:
        return
    if "=" not in words[0]:
        if len(WHITESPACE.split(rest, maxsplit=1)) < 2:
            raise BuildKitError(f"{name.upper()} must have two arguments", "DF006")
        return
    for word in words:
        if "=" not in word:
            _parse_name_val(rest, name.upper(), escape)  # raises with BuildKit's message


def _parse_name_val(rest: str, key: str, escape: str) -> list[str]:
    """parseNameVal (ENV, LABEL): `key value sep` triples; sep "" marks `KEY name value`."""
    words = parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise BuildKitError(f"{key} must have two arguments", "DF006")
        return [parts[0], parts[1], ""]
    out: list[str] = []
    for word in words:
        if "=" not in word:
            raise BuildKitError(
                f"Syntax error - can't find = in {gotext.quote(word)}. "
                "Must be of the form: name=value",
                "DF007",
            )
        name, value = word.split("=", 1)
        out += [name, value, "="]
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # Go's encoding/json has no NaN or Infinity


_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON = json.JSONDecoder(parse_constant=_reject_constant)
_NOT_JSON = object()


def _parse_json(rest: str) -> Any:
    """parseJSON: the words of a JSON array of strings, or _NOT_JSON."""
    rest = gotext.lstrip(rest)
    if not rest.startswith("["):
        return _NOT_JSON
    try:
        value = _JSON.decode(rest)
    except ValueError:
        return _NOT_JSON
    if not isinstance(value, list):
        return _NOT_JSON
    if not all(isinstance(item, str) for item in value):
        raise BuildKitError(
            "when using JSON array syntax, arrays must be comprised of strings only", "DF008"
        )
    # Go's decoder turns a lone surrogate (`\ud800`) and a byte that is not UTF-8 into U+FFFD
    return [_SURROGATE.sub("\ufffd", item) for item in value]


def _split_whitespace(rest: str) -> list[str]:
    """parseStringsWhitespaceDelimited"""
    return WHITESPACE.split(rest) if rest else []


def _maybe_json(rest: str) -> tuple[list[str], bool]:
    if not rest:
        return [], False
    words = _parse_json(rest)
    if words is _NOT_JSON:
        return [rest], False
    return words, True


def _maybe_json_to_list(rest: str) -> tuple[list[str], bool]:
    words = _parse_json(rest)
    if words is _NOT_JSON:
        return _split_whitespace(rest), False
    return words, True


def _health_config(rest: str) -> tuple[list[str], bool]:
    # Go finds the end of the first word byte by byte (unicode.IsSpace(rune(rest[i])))
    raw = gotext.bytewise(rest)
    sep = 0
    while sep < len(raw) and not gotext.is_space(raw[sep]):
        sep += 1
    after = sep
    while after < len(raw) and gotext.is_space(raw[after]):
        after += 1
    if sep == 0:
        return [], False
    kind = gotext.from_bytes(raw[:sep].encode("latin-1"))
    words, is_json = _maybe_json(gotext.from_bytes(raw[after:].encode("latin-1")))
    return [kind, *words], is_json


def parse_instruction(line: str, escape: str) -> Parsed:
    """newNodeFromLine: split one logical line the way BuildKit's dispatch table does.
    Raises BuildKitError where BuildKit's parser rejects the arguments."""
    command = split_command(line, escape)
    name = command.keyword.lower()
    rest = command.args
    sub = None
    is_json = False
    if name in ("run", "cmd", "entrypoint", "shell"):
        words, is_json = _maybe_json(rest)
    elif name in ("add", "copy", "volume"):
        words, is_json = _maybe_json_to_list(rest)
    elif name in ("from", "expose"):
        words = _split_whitespace(rest)
    elif name in ("user", "workdir", "maintainer", "stopsignal"):
        words = [rest] if rest else []
    elif name == "arg":
        words = parse_words(rest, escape)
    elif name in ("env", "label"):
        words = _parse_name_val(rest, "ENV" if name == "env" else "LABEL", escape)
    elif name == "healthcheck":
        words, is_json = _health_config(rest)
    elif name == "onbuild":
        words = []
        if rest:
            sub = parse_instruction(rest, escape)
            words = sub.next
    else:  # unknown instructions parse, with no arguments kept
        words = []
    return Parsed(command, words, is_json, sub)


def can_contain_heredoc(parsed: Parsed) -> bool:
    """canContainHeredoc: RUN, COPY, ADD (also under ONBUILD), never in JSON form."""
    if parsed.command.keyword.lower() == "onbuild" and parsed.sub is not None:
        parsed = parsed.sub
    return parsed.command.keyword.lower() in HEREDOC_COMMANDS and not parsed.json


class HeredocSpec(NamedTuple):
    name: str
    file_descriptor: int
    expand: bool
    chomp: bool


def heredocs_in(line: str) -> list[HeredocSpec]:
    """heredocsFromLine: the heredoc delimiters named on an instruction's logical line."""
    try:
        words = shell.words(line, raw_quotes=True, raw_escapes=True)
    except shell.ShellSyntaxError:
        return []
    specs = []
    for word in words:
        match = _HEREDOC_WORD.match(word)
        if not match or not match.group(3):
            continue
        rest = match.group(3)
        plain = shell.words(rest, raw_quotes=False, raw_escapes=False)
        if len(plain) != 1:
            continue
        raw = shell.words(rest, raw_quotes=True, raw_escapes=False)
        if len(raw) != 1:
            raise shell.ShellSyntaxError(f"internal lexing of heredoc produced inconsistent results: {rest}")
        quotes = plain[0].count("'") + plain[0].count('"')
        raw_quotes = raw[0].count("'") + raw[0].count('"')
        specs.append(
            HeredocSpec(
                name=plain[0],
                file_descriptor=int(match.group(1) or 0),
                expand=quotes == raw_quotes,
                chomp=match.group(2) == "-",
            )
        )
    return specs
