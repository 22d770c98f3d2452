"""An instruction's arguments as BuildKit reads them, each value with its span in the source.

In: one instruction node (its logical line, escape character and BuildKit's parse of it). Out:
`Arguments`: the flags, the argument words of the instruction's family, the name=value pairs of
ENV, LABEL and ARG, FROM's stage name, COPY's destination, RUN's mounts and ONBUILD's trigger.

Two steps, as for the file itself:

1. Lexer steps (`tokens`) make the argument tokens of the logical line, each with its value as
   BuildKit reads it and its offsets. They carry the context the grammar cannot: BuildKit's
   word rule for the family (docker/words.py: Go's white space, byte by byte for flags, the
   escape character), whether the arguments decode as JSON or fall back to the shell form,
   which words name heredocs, and `AS` only as the middle of FROM's three words.
2. The `arguments` rules of grammar.lark say how those tokens make an instruction of each
   family; `_ToArguments` builds the result from the rules, one method a rule.

PYENV is not BuildKit's: its words are split at white space (Go's, so a U+00A0 between words
separates them as it would in ENV) and used as written. It all runs once per node, on first use.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple, Optional

from pyenvc.docker import buildkit, gotext, words
from pyenvc.docker.gotext import SPACE_CHARS
from pyenvc.docker.words import Token
from pyenvc.syntax.tree import Flag, Instruction, Pair, Word
from pyenvc.source import Span

_GO_WORD = re.compile(f"[^{SPACE_CHARS}]+")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_HEREDOC_MARKER = re.compile(r"[0-9]*<<")

# The keyword terminal of each family (grammar.lark); any other keyword is KW_OTHER.
FAMILIES = {
    "from": "KW_FROM", "copy": "KW_COPY", "add": "KW_COPY", "run": "KW_RUN",
    "cmd": "KW_COMMAND", "entrypoint": "KW_COMMAND", "shell": "KW_COMMAND",
    "env": "KW_NAME_VALUE", "label": "KW_NAME_VALUE", "arg": "KW_ARG",
    "user": "KW_LINE", "workdir": "KW_LINE", "maintainer": "KW_LINE", "stopsignal": "KW_LINE",
    "expose": "KW_LIST", "volume": "KW_LIST", "onbuild": "KW_ONBUILD", "healthcheck": "KW_HEALTHCHECK",
    "pyenv": "KW_PYENV",
}
# How each family's arguments are split when they are not JSON (parser.go's dispatch table).
_WHITESPACE_SPLIT = frozenset({"KW_FROM", "KW_COPY", "KW_LIST"})
_SHELL_FORM = frozenset({"KW_RUN", "KW_COMMAND"})
_JSON_FORMS = frozenset({"KW_COPY", "KW_RUN", "KW_COMMAND", "KW_LIST", "KW_HEALTHCHECK"})


class MountOption(NamedTuple):
    """One `key=value` of a `--mount=` flag."""

    key: str
    value: str
    word: Optional[Word]  # the value with its span, where the flag is written plainly; else None


class Mount(NamedTuple):
    """A `RUN --mount=type=cache,target=/x,...` flag, read as comma-separated options."""

    flag: Flag
    options: tuple[MountOption, ...]

    def option(self, key: str) -> Optional[MountOption]:
        found = None
        for option in self.options:
            if option.key.lower() == key:
                found = option
        return found


class Arguments(NamedTuple):
    """What the `arguments` rules read from one instruction."""

    flags: tuple[Flag, ...] = ()
    words: tuple[Word, ...] = ()  # the family's argument words (JSON items in exec form)
    json: bool = False
    pairs: tuple[Pair, ...] = ()  # ENV, LABEL, ARG
    mounts: tuple[Mount, ...] = ()  # RUN
    keyword: Optional[Word] = None  # the instruction's keyword
    trigger: Optional["Arguments"] = None  # ONBUILD: the trigger instruction's arguments
    stage_name: Optional[Word] = None  # FROM ... AS NAME
    destination: Optional[Word] = None  # COPY, ADD
    heredoc_markers: tuple[Word, ...] = ()  # COPY, ADD: the sources that name heredocs


class ArgumentToken:
    """What the `arguments` rules read: a terminal name and its payload (a Word, or a Flag)."""

    __slots__ = ("type", "value")
    start_pos = line = column = end_line = end_column = end_pos = None

    def __init__(self, kind: str, value: Any) -> None:
        self.type = kind
        self.value = value

    def __repr__(self) -> str:
        return f"ArgumentToken({self.type!r}, {self.value!r})"


# ---------------------------------------------------------------------------- lexer steps


class _Line:
    """The logical line being split, and how its offsets map to the source."""

    def __init__(self, node: Instruction) -> None:
        self.node = node
        self.text = node.logical

    def word(self, token: Token, base: int = 0) -> Word:
        start, end = base + token.start, base + token.end
        return Word(token.value, self.text[start:end], self.node.span_of(start, end))

    def flag(self, token: Token, base: int = 0) -> Flag:
        name, eq, value = token.value[2:].partition("=")
        return Flag(name, value if eq else None, self.word(token, base))


def tokens(node: Instruction) -> list[ArgumentToken]:
    """The argument tokens of the node's logical line."""
    line = _Line(node)
    if node.command == "pyenv":
        return list(_pyenv_tokens(line))
    try:
        parsed = node.parsed
    except buildkit.BuildKitError:  # only a generated node can get here; the scanner checked the rest
        keyword = line.text.split(maxsplit=1)[0] if line.text.split() else ""
        return [ArgumentToken("KW_OTHER", line.word(Token(keyword, 0, len(keyword))))]
    return list(_instruction_tokens(line, parsed, 0))


def _instruction_tokens(line: _Line, parsed: buildkit.Parsed, base: int) -> Iterator[ArgumentToken]:
    """One instruction's tokens (an ONBUILD trigger's too, at `base` in the line)."""
    command = parsed.command
    family = FAMILIES.get(command.keyword.lower(), "KW_OTHER")
    keyword = Token(command.keyword, 0, len(command.keyword))
    yield ArgumentToken(family, line.word(keyword, base))
    for flag in command.flag_tokens:
        yield ArgumentToken("FLAG", line.flag(flag, base))
    rest, at = command.args, base + command.args_start
    if family == "KW_ONBUILD":
        if parsed.sub is not None:
            yield from _instruction_tokens(line, parsed.sub, at)
    elif family == "KW_HEALTHCHECK":
        yield from _healthcheck_tokens(line, rest, parsed, at)
    elif parsed.json and family in _JSON_FORMS:
        yield from _json_form(line, rest, parsed, at, family)
    elif family in _WHITESPACE_SPLIT:
        yield from _split_words(line, rest, at, family)
    elif family in _SHELL_FORM and rest:
        yield ArgumentToken("SHELL_TEXT", line.word(Token(rest, 0, len(rest)), at))
    elif family == "KW_LINE" and rest:
        yield ArgumentToken("LINE", line.word(Token(rest, 0, len(rest)), at))
    elif family in ("KW_NAME_VALUE", "KW_ARG"):
        yield from _pair_tokens(line, rest, at, family)


def _json_form(line: _Line, rest: str, parsed: buildkit.Parsed, at: int, family: str) -> Iterator[ArgumentToken]:
    """JSON, where the arguments decode as an array of strings (parseJSON; BuildKit falls back
    to the shell form otherwise, which its parse already decided): the brackets, each string
    with the offsets of its literal (the whole array's where the literals cannot be told
    apart), and the commas between them."""
    items = parsed.next[1:] if family == "KW_HEALTHCHECK" else parsed.next
    found = list(_JSON_STRING.finditer(rest))
    exact = len(found) == len(items)
    close = rest.rfind("]")
    yield ArgumentToken("JSON_OPEN", line.word(Token("[", 0, 1), at))
    for index, item in enumerate(items):
        if index:
            yield ArgumentToken("JSON_COMMA", line.word(Token(",", found[index - 1].end(), found[index].start()) if exact else Token(",", 0, len(rest)), at))
        start, end = (found[index].start(), found[index].end()) if exact else (0, len(rest))
        yield ArgumentToken("JSON_STRING", line.word(Token(item, start, end), at))
    yield ArgumentToken("JSON_CLOSE", line.word(Token("]", close, close + 1), at))


def _split_words(line: _Line, rest: str, at: int, family: str) -> Iterator[ArgumentToken]:
    """parseStringsWhitespaceDelimited; for FROM, `AS` only as the middle of three words; for
    COPY and ADD, the words that open a heredoc (the shell lexer's verdict is on the node)."""
    split = words.whitespace_words(rest)
    heredocs = len(line.node.heredocs) if family == "KW_COPY" else 0
    for index, token in enumerate(split):
        kind = "WORD"
        if family == "KW_FROM" and index == 1 and len(split) == 3 and token.value.lower() == "as":
            kind = "AS"
        elif heredocs and _HEREDOC_MARKER.match(token.value):
            kind, heredocs = "HEREDOC_MARKER", heredocs - 1
        yield ArgumentToken(kind, line.word(token, at))


def _healthcheck_tokens(line: _Line, rest: str, parsed: buildkit.Parsed, at: int) -> Iterator[ArgumentToken]:
    """HEALTHCHECK's first word (NONE or CMD), then its command in exec or shell form."""
    split = words.whitespace_words(rest)
    if not split:
        return
    kind = split[0]
    yield ArgumentToken("KIND", line.word(kind, at))
    command = rest[kind.end :]
    skipped = len(command) - len(gotext.lstrip(command))
    if parsed.json:
        yield from _json_form(line, command[skipped:], parsed, at + kind.end + skipped, "KW_HEALTHCHECK")
    elif command[skipped:]:
        text = command[skipped:]
        yield ArgumentToken("SHELL_TEXT", line.word(Token(text, kind.end + skipped, len(rest)), at))


def _pair_tokens(line: _Line, rest: str, at: int, family: str) -> Iterator[ArgumentToken]:
    """parseNameVal (ENV, LABEL) and parseWords (ARG): each word split at its first `=`; quotes
    and escapes are kept as characters, so the value starts right after the `=`. ENV and
    LABEL whose first word has no `=` are the legacy form: a name, then the rest of the line."""
    split = words.shell_words(rest, line.node.escape)
    if not split:
        return
    if family == "KW_NAME_VALUE" and "=" not in split[0].value:
        gap = words.WHITESPACE.search(rest)
        if gap is None:
            return
        yield ArgumentToken("PAIR_NAME", line.word(Token(rest[: gap.start()], 0, gap.start()), at))
        yield ArgumentToken("LEGACY_VALUE", line.word(Token(rest[gap.end() :], gap.end(), len(rest)), at))
        return
    for token in split:
        key, eq, value = token.value.partition("=")
        yield ArgumentToken("PAIR_NAME", line.word(Token(key, token.start, token.start + len(key)), at))
        if eq:
            yield ArgumentToken("PAIR_VALUE", line.word(Token(value, token.start + len(key) + 1, token.end), at))


def _pyenv_tokens(line: _Line) -> Iterator[ArgumentToken]:
    """PYENV's own form: words at Go's white space; the leading `--` words are its flags."""
    split = [Token(m.group(), m.start(), m.end()) for m in _GO_WORD.finditer(line.text)]
    yield ArgumentToken("KW_PYENV", line.word(split[0]))
    rest = split[1:]
    while rest and rest[0].value.startswith("--"):
        yield ArgumentToken("FLAG", line.flag(rest.pop(0)))
    for token in rest:
        kind = "HEREDOC_MARKER" if _HEREDOC_MARKER.match(token.value) else "WORD"
        yield ArgumentToken(kind, line.word(token))


# ---------------------------------------------------------------------------- the rules


class ToArguments:
    """Builds `Arguments` from the `arguments` rules of grammar.lark, one method a rule. It
    keeps no state, so the parser calls it inline (parser.py puts it beside the file's rules)."""

    def flags(self, children: list) -> tuple[Flag, ...]:
        return tuple(token.value for token in children)

    def exec_form(self, children: list) -> tuple[bool, tuple[Word, ...]]:
        return True, tuple(token.value for token in children if token.type == "JSON_STRING")

    def shell_form(self, children: list) -> tuple[bool, tuple[Word, ...]]:
        return False, (children[0].value,)

    def _word(self, children: list) -> Word:
        return children[0].value

    image = stage_name = extra_word = pyenv_word = _word

    def _token(self, children: list) -> ArgumentToken:
        return children[0]

    source = destination = version = venv_name = requirements = _token

    def from_arguments(self, children: list) -> Arguments:
        keyword, flags, *rest = children
        found = tuple(c.value if isinstance(c, ArgumentToken) else c for c in rest)
        named = any(isinstance(c, ArgumentToken) and c.type == "AS" for c in rest)
        return Arguments(flags, found, keyword=keyword.value, stage_name=found[-1] if named else None)

    def copy_arguments(self, children: list) -> Arguments:
        keyword, flags, *rest = children
        if rest and isinstance(rest[0], tuple):  # exec form
            is_json, items = rest[0]
            return Arguments(flags, items, is_json, keyword=keyword.value, destination=items[-1] if len(items) > 1 else None)
        found = tuple(token.value for token in rest)
        markers = tuple(token.value for token in rest if token.type == "HEREDOC_MARKER")
        return Arguments(
            flags, found, keyword=keyword.value, destination=found[-1] if len(found) > 1 else None, heredoc_markers=markers
        )

    def _command(self, children: list) -> Arguments:
        keyword, flags, *rest = children
        is_json, items = rest[0] if rest else (False, ())
        return Arguments(flags, items, is_json, keyword=keyword.value)

    run_arguments = command_arguments = _command

    def pair(self, children: list) -> Pair:
        return Pair(children[0].value, children[1].value)

    def legacy_pair(self, children: list) -> Pair:
        return Pair(children[0].value, children[1].value, legacy=True)

    def arg_pair(self, children: list) -> Pair:
        return Pair(children[0].value, children[1].value if len(children) > 1 else None)

    def name_value_arguments(self, children: list) -> Arguments:
        return Arguments(children[1], pairs=tuple(children[2:]), keyword=children[0].value)

    arg_arguments = name_value_arguments

    def line_arguments(self, children: list) -> Arguments:
        return Arguments(children[1], tuple(token.value for token in children[2:]), keyword=children[0].value)

    def list_arguments(self, children: list) -> Arguments:
        keyword, flags, *rest = children
        if rest and isinstance(rest[0], tuple):
            is_json, items = rest[0]
            return Arguments(flags, items, is_json, keyword=keyword.value)
        return Arguments(flags, tuple(rest), keyword=keyword.value)

    def onbuild_arguments(self, children: list) -> Arguments:
        trigger = children[2] if len(children) > 2 else None
        return Arguments(children[1], keyword=children[0].value, trigger=trigger)

    def healthcheck_arguments(self, children: list) -> Arguments:
        keyword, flags, *rest = children
        if not rest:
            return Arguments(flags, keyword=keyword.value)
        is_json, items = rest[1] if len(rest) > 1 else (False, ())
        return Arguments(flags, (rest[0].value, *items), is_json, keyword=keyword.value)

    def pyenv_arguments(self, children: list) -> Arguments:
        found = tuple(c.value if isinstance(c, ArgumentToken) else c for c in children[2:])
        return Arguments(children[1], found, keyword=children[0].value)

    def other_arguments(self, children: list) -> Arguments:
        return Arguments(children[1], keyword=children[0].value)

    def arguments(self, children: list) -> Arguments:
        return children[0]


def read(node: Instruction, parser: Any) -> Arguments:
    """The node's arguments: its tokens, read by the grammar's `arguments` rules (`parser`, the
    Lark parser of grammar.lark); RUN's mounts then read from its flags (their offsets need the
    node's own text)."""
    arguments = parser.parse(tokens(node), start="arguments")
    if node.command == "run":
        mounts = tuple(_mount(node, f) for f in arguments.flags if f.name.lower() == "mount" and f.value is not None)
        arguments = arguments._replace(mounts=mounts)
    return arguments


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
