"""Tree -> text: concatenate what the nodes hold. No formatting decisions are made here.

`emit` gives the text. `emit_mapped` gives the same text and, from the same walk over the nodes,
a `LineMap` from each line of it to the line of the source it came from: a user's own node maps line
by line from where it starts in the source; a node the lowering wrote (`Generated`) maps, every
line of it, to the first line of its `origin`. `pyenvc build` uses it to turn BuildKit's
`Dockerfile:16` (a line of the generated file) into the user's own line.
"""

from __future__ import annotations

import bisect
from typing import Optional

import attrs

from pyenvc.source import Source
from pyenvc.syntax.tree import Dockerfile, Generated, Instruction


def emit(tree: Dockerfile) -> str:
    """The text of `tree`: for a parsed file, the input byte for byte."""
    parts = []
    if tree.bom is not None:
        parts.append(tree.bom.text)
    parts.extend(directive.text for directive in tree.directives)
    for node in tree.body:
        parts.append(node.text)
        if isinstance(node, Instruction):
            parts.extend(heredoc.text for heredoc in node.heredocs)
    return "".join(parts)


@attrs.frozen
class LineMap:
    """For each line of an emitted text, the source line it comes from. Lines as BuildKit counts
    them: only `\\n` ends a line, and a final `\\n` starts none."""

    # sources[i] is the 1-based source line of 1-based output line i + 1
    sources: tuple[int, ...]
    # generated[i]: output line i + 1 was written by the lowering (not one of the user's own lines)
    generated: tuple[bool, ...]

    def source_line(self, output_line: int) -> Optional[int]:
        """The 1-based source line of a 1-based output line; None outside the output."""
        if 1 <= output_line <= len(self.sources):
            return self.sources[output_line - 1]
        return None

    def is_generated(self, output_line: int) -> bool:
        return 1 <= output_line <= len(self.generated) and self.generated[output_line - 1]


def emit_mapped(tree: Dockerfile, source: Source) -> tuple[str, LineMap]:
    """`emit(tree)`, and the map from its lines to the lines of `source`, the text `tree` was
    parsed (then lowered) from.

    One pass concatenates and cuts the output into segments: each generated node is one, and so
    is each run of the user's nodes that were adjacent in the source (a whole file without PYENV
    is one). Then each segment's lines are counted in the output at C speed. Linear in the size
    of the output, and near `emit`'s speed: the per-node work is a comparison or two.
    """
    starts = source.line_starts
    parts: list[str] = []
    # (output offset, source line of its first byte, generated), in output order
    segments: list[tuple[int, int, bool]] = []
    size = 0  # the output's length so far
    expected = -1  # the source offset a user's node must start at to continue the segment
    cursor = 0  # index into `starts`: the line of the last user offset looked up

    def user(text: str, start: int) -> None:
        nonlocal size, expected, cursor
        if start != expected:
            if start < starts[cursor]:  # behind the walk (never for nodes in source order)
                line = bisect.bisect_right(starts, start)
            else:
                while cursor + 1 < len(starts) and starts[cursor + 1] <= start:
                    cursor += 1
                line = cursor + 1
            segments.append((size, line, False))
        parts.append(text)
        size += len(text)
        expected = start + len(text)

    if tree.bom is not None:
        parts.append(tree.bom.text)  # no line of its own: line 1 is what follows it
        size = len(tree.bom.text)
    for directive in tree.directives:
        user(directive.text, directive.start)
    for node in tree.body:
        if isinstance(node, Generated):
            segments.append((size, bisect.bisect_right(starts, node.origin.start), True))
            parts.append(node.text)
            size += len(node.text)
            expected = -1
            continue
        user(node.text, node.start)
        if isinstance(node, Instruction):
            for heredoc in node.heredocs:
                user(heredoc.text, heredoc.start)
    text = "".join(parts)
    return text, _line_map(text, segments)


def _line_map(text: str, segments: list[tuple[int, int, bool]]) -> LineMap:
    """Each output line to the segment that opened it: a line some segment left open (no `\\n`
    at its end) keeps the entry it has when the next segment continues it."""
    sources: list[int] = []
    generated: list[bool] = []
    at_line_start = True
    ends = [a for a, _, _ in segments[1:]] + [len(text)]
    for (a, first, is_generated), b in zip(segments, ends):
        if a == b:
            continue
        newline_at_end = text[b - 1] == "\n"
        opened = text.count("\n", a, b) + at_line_start - newline_at_end
        if opened:
            if is_generated:
                sources.extend([first] * opened)
            else:
                first += not at_line_start  # its first line continued an open one
                sources.extend(range(first, first + opened))
            generated.extend([is_generated] * opened)
        at_line_start = newline_at_end
    if text and not sources:  # a BOM and nothing else: one line, the source's first
        sources.append(1)
        generated.append(False)
    return LineMap(tuple(sources), tuple(generated))
