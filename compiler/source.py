"""A source text and its positions: spans of offsets, offsets <-> (line, column), line excerpts
for messages. Every layer uses it (the syntax tree, diagnostics, the commands); it uses none.

Offsets are 0-based indexes into the decoded text. Lines and columns are 1-based, columns
counted in characters (code points) from the start of the line, as people and editors count
them. Only `\\n` ends a line: BuildKit treats a bare CR as an ordinary byte.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

import attrs


@attrs.frozen
class Span:
    """A half-open range of offsets into the source text."""

    start: int
    end: int = attrs.field()

    @end.validator
    def _end_after_start(self, _attribute: object, value: int) -> None:
        if value < self.start:
            raise ValueError(f"span end {value} before start {self.start}")


class Position(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based, in characters


@attrs.frozen
class Source:
    text: str
    path: str = "Dockerfile"
    # offsets at which each line starts; line N starts at line_starts[N - 1]; line 1 after the
    # UTF-8 byte order mark, which is no column of it (editors do not show it)
    line_starts: tuple[int, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        starts = [1 if self.text.startswith("\ufeff") else 0]
        find = self.text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    def position(self, offset: int) -> Position:
        offset = max(self.line_starts[0], min(offset, len(self.text)))  # the BOM is at line 1, column 1
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(index + 1, offset - self.line_starts[index] + 1)

    def offset(self, line: int, column: int = 1) -> int:
        """The offset of a 1-based line and column (clamped to the text)."""
        line = max(1, min(line, len(self.line_starts)))
        return min(self.line_starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")
