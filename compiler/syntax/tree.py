"""The lossless syntax tree: frozen attrs nodes, data and trivial queries only.

Every character of the input belongs to exactly one node's `text`, in order, so printing is
concatenation (see printer.py). Offsets (`start`) are 0-based indexes into the decoded input;
nodes made by the lowering have no place in the input and carry `start = -1`, and instead the
`origin` span of the instruction they were generated from (their provenance).
"""

from __future__ import annotations

from typing import Any, Optional, Union

import attrs

from pyenvc.source import Span
from pyenvc.syntax.lines import LogicalLine, join_lines


@attrs.frozen
class Bom:
    text: str  # the U+FEFF that opens the file
    start: int = 0


@attrs.frozen
class Directive:
    """A parser directive line that BuildKit honoured, e.g. `# escape=``."""

    text: str  # the whole line, line ending included
    start: int
    name: str  # lower-cased: escape, syntax or check
    value: str


@attrs.frozen
class Trivia:
    """A run of blank and comment lines between instructions (not inside one)."""

    text: str  # the lines, line endings included
    start: int


@attrs.frozen
class Heredoc:
    """One here-document body that follows an instruction line."""

    text: str  # the body lines and the terminator line, line endings included
    start: int
    name: str  # the delimiter with quotes removed
    file_descriptor: int  # `3<<EOF` -> 3; 0 when not written
    expand: bool  # False when any part of the delimiter was quoted
    chomp: bool  # `<<-`: leading tabs stripped
    content: str  # what BuildKit reads: the body lines, without the terminator line


@attrs.frozen
class Word:
    """One argument as BuildKit's parser leaves it (variables not yet expanded)."""

    value: str  # what BuildKit reads: for parseWords instructions quotes are kept, for flags removed
    raw: str  # the characters of the logical line it was read from, quotes and escapes as written
    span: Span  # where it stands in the source; start = end = -1 for a generated node


@attrs.frozen
class Flag:
    """A `--name=value` (or `--name`) flag before an instruction's arguments."""

    name: str  # `from` for `--from=build`, as written
    value: Optional[str]  # None for a flag without `=`
    word: Word  # the whole flag


@attrs.frozen
class Pair:
    """A `name=value` of ENV, LABEL or ARG, or the legacy `ENV name value`."""

    name: Word
    value: Optional[Word]  # None for `ARG name` without a default
    legacy: bool = False  # `ENV name value`, which BuildKit warns about


@attrs.frozen
class Instruction:
    """One instruction: its keyword line, continuation lines and the comment or blank lines
    inside the continuation, then any heredoc bodies. Subclasses name each instruction
    family's arguments; they are read on first use (see arguments.py), so a file-level parse
    costs no more than the lines. (The subclasses add no fields, only queries: plain classes
    with empty slots, which cost nothing to make, where attrs would build each anew.)"""

    text: str  # the physical lines up to (not including) the first heredoc body
    start: int
    keyword: str  # as written: `run`, `Run`, `RUN`
    escape: str = "\\"  # the file's escape character, which decides the continuations
    heredocs: tuple[Heredoc, ...] = ()
    # the logical line, computed on first use (most instructions never need it)
    _joined: Optional[LogicalLine] = attrs.field(default=None, eq=False, repr=False)
    # BuildKit's parse of the logical line and the typed arguments, each read on first use
    _parsed: Any = attrs.field(default=None, eq=False, repr=False)
    _arguments: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def command(self) -> str:
        """The keyword, lower-cased, as BuildKit dispatches it."""
        return self.keyword.lower()

    @property
    def end(self) -> int:
        """The offset just past the instruction, heredoc bodies included."""
        if self.heredocs:
            last = self.heredocs[-1]
            return last.start + len(last.text)
        return self.start + len(self.text)

    def _logical_line(self) -> LogicalLine:
        if self._joined is None:
            object.__setattr__(self, "_joined", join_lines(self.text, self.escape))
        return self._joined

    @property
    def logical(self) -> str:
        """BuildKit's logical line: continuations joined, comment and blank lines inside the
        continuation dropped, the first line left-trimmed."""
        return self._logical_line().text

    @property
    def origins(self) -> tuple[tuple[int, int], ...]:
        """(logical offset, offset in `text`) pairs: where each run of `logical` comes from."""
        return self._logical_line().origins

    @property
    def has_empty_continuation(self) -> bool:
        """True when BuildKit warns about a blank line inside the continuation."""
        return self._logical_line().has_empty_continuation

    def source_offset(self, logical_offset: int) -> int:
        """Map an offset in `logical` back to an offset in the source text."""
        if self.start < 0:
            return -1
        origins = self.origins
        best = origins[0]
        for origin in origins:
            if origin[0] > logical_offset:
                break
            best = origin
        return self.start + best[1] + (logical_offset - best[0])

    def span_of(self, start: int, end: int) -> Span:
        """The source span of `logical[start:end]` (from its first character to just past its
        last, wherever continuations put them)."""
        if self.start < 0:
            return Span(-1, -1)
        first = self.source_offset(start)
        return Span(first, max(first, self.source_offset(end - 1) + 1) if end > start else first)

    def with_text(self, text: str) -> "Instruction":
        """The same instruction with other physical lines (what it read from them is dropped)."""
        return attrs.evolve(self, text=text, joined=None, parsed=None, arguments=None)

    @property
    def parsed(self) -> Any:
        """BuildKit's own parse of the logical line (docker.buildkit.Parsed), computed once."""
        if self._parsed is None:
            from pyenvc.docker import buildkit

            object.__setattr__(self, "_parsed", buildkit.parse_instruction(self.logical, self.escape))
        return self._parsed

    @property
    def arguments(self) -> Any:
        """The typed arguments with their spans (arguments.Arguments), read on first use by the
        grammar's `arguments` rules (the parser installs the reader: see read_arguments_with)."""
        if self._arguments is None:
            object.__setattr__(self, "_arguments", _READER[0](self))
        return self._arguments

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The `--flags` BuildKit takes from before the arguments."""
        return self.arguments.flags

    def flag(self, name: str) -> Optional[Flag]:
        """The last `--name` flag (BuildKit keeps the last of a repeated flag), or None."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = flag
        return found

    @property
    def words(self) -> tuple[Word, ...]:
        """The argument words in BuildKit's split for this instruction (JSON items in exec form)."""
        return self.arguments.words

    @property
    def is_json(self) -> bool:
        """True where the arguments are a JSON array (exec form)."""
        return self.arguments.json


class From(Instruction):
    """`FROM [--platform=P] IMAGE [AS NAME]`"""

    __slots__ = ()

    @property
    def image(self) -> Optional[Word]:
        words = self.words
        return words[0] if words else None

    @property
    def stage_name(self) -> Optional[Word]:
        """The `AS` name, as written (BuildKit compares stage names lower-cased)."""
        return self.arguments.stage_name

    @property
    def platform(self) -> Optional[Flag]:
        return self.flag("platform")


class Copy(Instruction):
    """`COPY [--flags] SOURCE... DEST` (and ADD), in shell or JSON form, maybe with heredocs."""

    __slots__ = ()

    @property
    def sources(self) -> tuple[Word, ...]:
        return self.words[:-1]

    @property
    def destination(self) -> Optional[Word]:
        return self.arguments.destination

    @property
    def heredoc_markers(self) -> tuple[Word, ...]:
        """The sources that open heredocs (`<<EOF`), whose bodies follow the instruction."""
        return self.arguments.heredoc_markers

    @property
    def from_stage(self) -> Optional[Flag]:
        """`--from=`: a stage name or index, or an image."""
        return self.flag("from")


class Add(Copy):
    """`ADD`: COPY's form, with URLs and archives."""

    __slots__ = ()


class Run(Instruction):
    """`RUN [--mount=...] COMMAND`, in shell form (one word) or JSON form."""

    __slots__ = ()

    @property
    def mounts(self) -> tuple[Any, ...]:
        """The `--mount=` flags, read as BuildKit's CSV options (arguments.Mount)."""
        return self.arguments.mounts


class Env(Instruction):
    """`ENV name=value ...` or the legacy `ENV name value`."""

    __slots__ = ()

    @property
    def pairs(self) -> tuple[Pair, ...]:
        return self.arguments.pairs


class Label(Env):
    """`LABEL name=value ...`"""

    __slots__ = ()


class Arg(Env):
    """`ARG name[=default] ...`"""

    __slots__ = ()


class User(Instruction):
    """`USER user[:group]`: the rest of the line is one word."""

    __slots__ = ()

    @property
    def user(self) -> Optional[Word]:
        words = self.words
        return words[0] if words else None


class Onbuild(Instruction):
    """`ONBUILD [--flags] INSTRUCTION`: a trigger for images built FROM this one."""

    __slots__ = ()

    @property
    def trigger_keyword(self) -> Optional[Word]:
        """The keyword of the trigger instruction."""
        trigger = self.arguments.trigger
        return trigger.keyword if trigger is not None else None

    @property
    def trigger_keywords(self) -> tuple[Word, ...]:
        """The trigger's keyword and, where the trigger is an ONBUILD itself (BuildKit refuses
        the chain only when it builds), the keywords of the triggers inside it."""
        found = []
        trigger = self.arguments.trigger
        while trigger is not None:
            found.append(trigger.keyword)
            trigger = trigger.trigger
        return tuple(found)


class Pyenv(Instruction):
    """`PYENV [--flags] VERSION NAME [REQUIREMENTS | <<DELIM]`: the compiler's own instruction
    (BuildKit would see an unknown one). Its words are split at white space and used as
    written; a heredoc's body is in `heredocs`, read by pyenvc (BuildKit reads none for it)."""

    __slots__ = ()

    @property
    def version(self) -> Optional[Word]:
        words = self.words
        return words[0] if words else None

    @property
    def name(self) -> Optional[Word]:
        words = self.words
        return words[1] if len(words) > 1 else None

    @property
    def requirements(self) -> Optional[Word]:
        words = self.words
        return words[2] if len(words) > 2 else None


def _no_reader(node: Instruction) -> Any:
    raise RuntimeError("a node made outside the parser: import pyenvc.syntax.parser, which reads arguments")


# How a node's arguments are read: set once by the parser, whose grammar reads them (the tree
# itself knows no grammar, so nothing here imports the parser that builds it).
_READER: list = [_no_reader]


def read_arguments_with(reader: Any) -> None:
    _READER[0] = reader


# Which node class holds which instruction (every other keyword: Instruction).
NODE_CLASSES: dict[str, type] = {
    "from": From, "copy": Copy, "add": Add, "run": Run, "env": Env, "label": Label, "arg": Arg,
    "user": User, "onbuild": Onbuild, "pyenv": Pyenv,
}


def instruction_class(keyword: str) -> type:
    return NODE_CLASSES.get(keyword.lower(), Instruction)


@attrs.frozen
class Generated:
    """Text the lowering wrote; it has no place in the input, but it comes from one place."""

    text: str  # the generated lines, line endings included
    origin: Span  # the instruction it replaces or was made for: a PYENV, or a rewritten FROM
    start: int = -1


Node = Union[Trivia, Instruction, Generated]


@attrs.frozen
class Dockerfile:
    bom: Bom | None
    directives: tuple[Directive, ...]
    body: tuple[Node, ...]
    escape: str  # the escape character in force: "\\" or "`"

    def instructions(self) -> list[Instruction]:
        return [node for node in self.body if isinstance(node, Instruction)]
