"""The lowering's diagnostics as it collects them: every problem is reported, none raised.

In: the source, and (node, word, code, message, hint) for each problem found. Out: the
Diagnostics in source order, each at the word's span (or the end of the node's logical line).
"""

from __future__ import annotations

from typing import Optional

from pyenvc.diagnostics import Diagnostic, has_errors
from pyenvc.syntax.emitter import TooLong, Unrepresentable
from pyenvc.source import Source, Span
from pyenvc.syntax.tree import Instruction, Word


class Reporter:
    def __init__(self, source: Source) -> None:
        self.source = source
        self._diagnostics: list[Diagnostic] = []

    def report(self, node: Instruction, word: Optional[Word], code: str, message: str, hint: Optional[str]) -> None:
        """A problem at `word` of `node`; None: at the end of its logical line (a missing word)."""
        self._diagnostics.append(Diagnostic.at(self.source, _span(node, word), code, message, hint))

    def unrepresentable(self, node: Instruction, word: Optional[Word], problem: Unrepresentable) -> None:
        hint = "use plain values: paths and names without white space, quotes, '$', commas or the escape character"
        if isinstance(problem, TooLong):
            hint = "shorten it: BuildKit reads no line longer than 65535 bytes"
            if node.command in ("arg", "env"):
                hint = (f"split it into several {node.keyword} instructions: each is declared again in the"
                        " venv's stage as one line, its continuations joined")
        self.report(node, word, "PYENV022", f"a generated instruction cannot carry this value as written: {problem}", hint)

    @property
    def has_errors(self) -> bool:
        return has_errors(self._diagnostics)

    def diagnostics(self) -> list[Diagnostic]:
        return sorted(self._diagnostics, key=lambda d: (d.line, d.column, d.code))


def _span(node: Instruction, word: Optional[Word]) -> Span:
    if word is not None:
        return word.span
    end = len(node.logical.rstrip())
    offset = node.source_offset(max(end - 1, 0)) + (1 if end else 0)
    return Span(offset, offset)


def keyword_of(node: Instruction) -> Word:
    """The instruction's keyword as a word (its logical line starts with it)."""
    return Word(node.keyword, node.keyword, node.span_of(0, len(node.keyword)))
