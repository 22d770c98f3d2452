"""Python source read one top-level statement at a time, for check-dags on DAG files of any size.

In: a DAG file's decoded text (line ends as Python reads them, `\\n` or `\\r\\n`). Out: one
`ast.Module` per top-level statement (a decorated `def` with its decorators, an `if` with its
`elif`/`else`), its line numbers those of the whole file; or the `SyntaxError` that
`ast.parse(text)` raises, at the same line and column.

Why: `ast.parse` of a whole file holds its whole tree at once, about 180 times the file's size
in memory; one statement's tree at a time costs the largest statement's.

Where statements start: a top-level statement begins at column 0 of a line that is not blank, a
comment or a closing bracket, that does not go on the statement before it (`else`, `elif`,
`except`, `finally`) and that does not follow a decorator. Such a line can still lie inside a
string or brackets (a SQL text written at column 0); then the chunk up to it does not parse, as
every text that ends inside a string, a bracket or after a backslash fails, and Python's own
tokenizer finds where that statement really ends. A chunk that parses always ends where a
statement ends, so the statements are Python's own.
"""

from __future__ import annotations

import ast
import re
import tokenize
from typing import Callable, Iterator, NamedTuple, Optional

__all__ = ["Chunk", "chunks", "parse_chunk", "statements"]

# A line that may open a top-level statement: its first byte can start one.
_OPENING = re.compile(r"^[^ \t\f\r\n#)\]}]", re.MULTILINE)
_GOES_ON = re.compile(r"(?:else|elif|except|finally)(?![A-Za-z0-9_])")
_LINE_IN_MESSAGE = re.compile(r"(?<=\bline )(\d+)")
_TRIVIA = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE})


class Chunk(NamedTuple):
    """Where one top-level statement is in the text."""

    start: int  # offset of its first character
    end: int  # offset just past it (where the next one starts)
    line: int  # its first line, 1-based


def _openings(text: str) -> Iterator[tuple[int, int]]:
    """(offset, line) of each line that may open a top-level statement, after the first."""
    line, counted = 1, 0
    after_decorator = False
    for match in _OPENING.finditer(text):
        offset = match.start()
        line += text.count("\n", counted, offset)
        counted = offset
        goes_on = after_decorator or _GOES_ON.match(text, offset) is not None
        after_decorator = text.startswith("@", offset)
        if offset and not goes_on:
            yield offset, line


def chunks(text: str) -> Iterator[tuple[Chunk, ast.Module]]:
    """Each top-level statement's chunk and tree, in order (trees with the file's line numbers).

    Raises the SyntaxError (or ValueError, for a null byte on older Pythons) that `ast.parse`
    raises for the whole text, at the whole text's position."""
    start, line = 0, 1
    openings = _openings(text)
    pending: Optional[tuple[int, int]] = next(openings, None)
    while start < len(text):
        while pending is not None and pending[0] <= start:
            pending = next(openings, None)
        end, end_line = pending if pending is not None else (len(text), 0)
        try:
            tree = parse_chunk(text, Chunk(start, end, line))
        except (SyntaxError, ValueError):
            # inside a string or brackets, or an error: Python's tokenizer says where it ends
            end, end_line = _statement_end(text, start, line)
            try:
                tree = parse_chunk(text, Chunk(start, end, line))
            except (SyntaxError, ValueError):
                raise _error_from(text, start, line) from None
        yield Chunk(start, end, line), tree
        start, line = end, end_line


def statements(text: str) -> Iterator[ast.Module]:
    """The trees of `chunks(text)` alone."""
    for _, tree in chunks(text):
        yield tree


def parse_chunk(text: str, chunk: Chunk) -> ast.Module:
    """The tree of one chunk, its line numbers the whole text's."""
    tree = ast.parse(text[chunk.start : chunk.end])
    if chunk.line > 1:
        _shift_lines(tree, chunk.line - 1)
    return tree


def _shift_lines(tree: ast.AST, by: int) -> None:
    for node in ast.walk(tree):
        if "lineno" in node._attributes:  # nodes with a position (not contexts, operators)
            node.lineno += by
            if node.end_lineno is not None:
                node.end_lineno += by


def _lines_from(text: str, start: int) -> Callable[[], str]:
    """A readline over `text` from `start`, without copying the rest of the text."""
    position = start

    def readline() -> str:
        nonlocal position
        if position >= len(text):
            return ""
        newline = text.find("\n", position)
        end = len(text) if newline < 0 else newline + 1
        line, position = text[position:end], end
        return line

    return readline


def _statement_end(text: str, start: int, line: int) -> tuple[int, int]:
    """(offset, line) where the top-level statement at `start` ends by Python's tokenizer: at the
    next logical line at column 0 that opens a statement. The text's end when there is none or
    the tokenizer fails (the parse that follows then reports the error)."""
    readline = _lines_from(text, start)
    offsets = [start]  # offsets[i]: where the i-th line read (1-based) starts
    consumed = start

    def counting() -> str:
        nonlocal consumed
        got = readline()
        if got:
            offsets.append(consumed + len(got))
            consumed += len(got)
        return got

    depth, first, after_decorator = 0, True, False
    logical = True  # the next significant token opens a logical line
    try:
        for token in tokenize.generate_tokens(counting):
            kind = token.type
            if kind == tokenize.INDENT:
                depth += 1
            elif kind == tokenize.DEDENT:
                depth -= 1
            if kind == tokenize.ENDMARKER:
                break
            if kind in _TRIVIA:
                logical = logical or kind == tokenize.NEWLINE
                continue
            if logical and depth == 0:
                row, column = token.start
                opens = column == 0 and not after_decorator and not _GOES_ON.fullmatch(token.string)
                if opens and not first:
                    return offsets[row - 1], line + row - 1
                first = False
                after_decorator = token.string == "@"
            logical = False
    except (tokenize.TokenError, SyntaxError):
        pass
    return len(text), 0


def _error_from(text: str, start: int, line: int) -> BaseException:
    """The error `ast.parse(text)` raises, for a text whose statements before `start` parse:
    parsing from `start` meets the same first error (and tokenizes the rest, as a whole parse
    does), with no tree for the statements before it."""
    try:
        ast.parse(text[start:])
    except SyntaxError as error:
        shift = line - 1
        if error.lineno is not None:
            error.lineno += shift
        if getattr(error, "end_lineno", None) is not None:
            error.end_lineno += shift
        if error.msg:  # "(detected at line 3)", "after function definition on line 1"
            error.msg = _LINE_IN_MESSAGE.sub(lambda m: str(int(m.group(1)) + shift), error.msg)
        return error
    except ValueError as error:
        return error
    return SyntaxError("invalid syntax")  # not reached: the chunk alone failed the same way
