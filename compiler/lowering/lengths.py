"""Generated lines BuildKit would refuse for their length (its scanner takes at most 65535 bytes
a line), traced to the word of the user's that made them long.

A generated line repeats what the user wrote: a venv name (several times in one RUN), a
requirements path, a `--python-image`, a FROM's flags and image in a venv stage, an ARG or ENV
carried into a venv stage as one joined line, a FROM line given `-base`, a `--from=N` given one
more digit. Each physical line of the user's is within the limit (the parser sees to that), the
generated one need not be. Such a line is a compile-time error (PYENV022) at the user's word
that contributes most of its bytes; where no word of the user's is large (the length comes
from options such as --home, or from many small words), at the instruction it was made for.

In: the too-long line and the user's instructions. Out: the instruction and word to report at.
"""

from __future__ import annotations

from typing import Iterable, Optional

from pyenvc.docker import gotext
from pyenvc.syntax.emitter import MAX_LINE_BYTES, TooLong
from pyenvc.syntax.tree import Instruction, Word

# A word this long is worth naming as the cause; a shorter one is a coincidence in a long line.
_LARGE = 1024


def check_lines(text: str) -> None:
    """Raise TooLong for the first line of `text` BuildKit would refuse."""
    if len(text) <= MAX_LINE_BYTES // 4:  # four bytes a character at most: short enough
        return
    for line in text.split("\n"):
        if len(line) > MAX_LINE_BYTES // 4 and len(gotext.to_bytes(line.rstrip("\r"))) > MAX_LINE_BYTES:
            line = line.rstrip("\r")
            raise TooLong(line, line.split(" ", 1)[0][:16])


def _words(node: Instruction) -> list[Word]:
    """The node's flags and words, and the names and values of ARG, ENV and LABEL."""
    words = [flag.word for flag in node.flags] + list(node.words)
    for pair in getattr(node, "pairs", ()):
        words += [w for w in (pair.name, pair.value) if w is not None]
    return words


def culprit(line: str, nodes: Iterable[Instruction]) -> Optional[tuple[Instruction, Word]]:
    """The user's instruction and word that give `line` most of its bytes; None where no
    large word of the user's is in it."""
    best: tuple[int, Optional[tuple[Instruction, Word]]] = (_LARGE - 1, None)
    for node in nodes:
        for word in _words(node):
            for text in {word.raw, word.value}:
                if len(text) >= _LARGE and text in line and len(text) * line.count(text) > best[0]:
                    best = (len(text) * line.count(text), (node, word))
    return best[1]
