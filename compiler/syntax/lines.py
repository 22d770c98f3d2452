"""Physical lines -> BuildKit's logical line (processLine, isComment, trimContinuationCharacter).

An instruction's text holds its first line, its continuation lines, and the comment and blank
lines inside the continuation. BuildKit joins them into one logical line: the first line
left-trimmed, each continuation marker (the escape character at the end of a line, before
optional spaces or tabs, not itself escaped) removed with the line ending, comment lines and
blank lines dropped (a blank one draws a warning), continuation lines kept with their leading
white space.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pyenvc.docker import gotext

# trimContinuationCharacter's regex, per escape character: `([^\\])\\[ \t]*$|^\\[ \t]*$`
CONTINUATION = {
    escape: re.compile(f"([^{re.escape(escape)}]){re.escape(escape)}[ \\t]*\\Z|\\A{re.escape(escape)}[ \\t]*\\Z")
    for escape in ("\\", "`")
}


class LogicalLine(NamedTuple):
    text: str
    # (offset in the logical line, offset in the instruction's text) for each joined piece
    origins: tuple
    has_empty_continuation: bool


def trim_newline(line: str) -> str:
    """bytes.TrimRight(line, "\\r\\n")"""
    return line.rstrip("\r\n")


def trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """The line without its continuation marker, and whether it had one."""
    if not line.rstrip(" \t").endswith(escape):  # most lines: no marker, no regex needed
        return line, False
    match = CONTINUATION[escape].search(line)
    if match is None:
        return line, False
    return line[: match.start()] + (match.group(1) or ""), True


def join_lines(text: str, escape: str) -> LogicalLine:
    newline = text.find("\n")
    if newline < 0 or newline == len(text) - 1:  # one physical line: nothing to join
        first = trim_newline(text)
        stripped = gotext.lstrip(first)
        piece = trim_continuation(stripped, escape)[0]
        return LogicalLine(piece, ((0, len(first) - len(stripped)),), False)
    physical = text.split("\n")
    if physical[-1] == "":
        physical.pop()
    first = trim_newline(physical[0])
    stripped = gotext.lstrip(first)
    piece, continues = trim_continuation(stripped, escape)
    pieces = [piece]
    origins = [(0, len(first) - len(stripped))]
    length = len(piece)
    offset = len(physical[0]) + 1
    has_empty = False
    for line in physical[1:]:
        line_offset, offset = offset, offset + len(line) + 1
        if not continues:
            break
        content = trim_newline(line)
        inner = gotext.lstrip(content)
        if inner.startswith("#"):
            continue
        if not inner:
            has_empty = True
            continue
        piece, continues = trim_continuation(content, escape)
        origins.append((length, line_offset))
        pieces.append(piece)
        length += len(piece)
    return LogicalLine("".join(pieces), tuple(origins), has_empty)
