"""The lossless syntax tree: frozen attrs nodes, data and trivial queries only.

Every character of the input belongs to exactly one node's `text`, in order, so printing is
concatenation (see printer.py). Offsets (`start`) are 0-based indexes into the decoded input;
nodes made by the lowering have no place in the input and carry `start = -1`, and instead the
`origin` span of the instruction they were generated from (their provenance).
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from pyenvc.syntax.lines import LogicalLine, join_lines


@attrs.frozen
class Span:
    """A half-open range of offsets into the source text."""

    start: int
    end: int = attrs.field()

    @end.validator
    def _end_after_start(self, _attribute: object, value: int) -> None:
        if value < self.start:
            raise ValueError(f"span end {value} before start {self.start}")


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
class Instruction:
    """One instruction: its keyword line, continuation lines and the comment or blank lines
    inside the continuation, then any heredoc bodies."""

    text: str  # the physical lines up to (not including) the first heredoc body
    start: int
    keyword: str  # as written: `run`, `Run`, `RUN`
    escape: str = "\\"  # the file's escape character, which decides the continuations
    heredocs: tuple[Heredoc, ...] = ()
    # the logical line, computed on first use (most instructions never need it)
    _joined: Optional[LogicalLine] = attrs.field(default=None, eq=False, repr=False)

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


@attrs.frozen
class Pyenv(Instruction):
    """A PYENV instruction (the compiler's own; BuildKit would see an unknown instruction)."""


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
