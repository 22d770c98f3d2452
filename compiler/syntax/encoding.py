"""Text that is not UTF-8 in a way no Dockerfile reader copes with: UTF-16 and UTF-32.

Docker reads a Dockerfile's bytes as UTF-8 (BuildKit strips a UTF-8 byte order mark and nothing
else). A file saved as UTF-16 or UTF-32 (Windows editors and PowerShell's `>` do this) reaches
BuildKit as NUL-interleaved bytes whose first instruction it cannot read; pyenvc would see no
PYENV in it at all. So such a file is refused before it is scanned.

In: the text as pyenvc reads files, UTF-8 with errors="surrogateescape" (a byte that is not
UTF-8 is the surrogate U+DC80 + byte). Out: the encoding's name and how many characters its
mark (or the sample it was told by) takes, or None for text that may well be UTF-8.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

# Byte order marks as the surrogate-escaped text holds them; UTF-32LE's starts with UTF-16LE's,
# so it is tried first.
_MARKS = (
    ("\udcff\udcfe\x00\x00", "UTF-32LE"),
    ("\x00\x00\udcfe\udcff", "UTF-32BE"),
    ("\udcff\udcfe", "UTF-16LE"),
    ("\udcfe\udcff", "UTF-16BE"),
)
# How much of the start of a file without a mark is looked at for the NUL pattern of UTF-16 or
# UTF-32 text (ASCII characters with one or three zero bytes each).
_SAMPLE = 64


class Foreign(NamedTuple):
    encoding: str  # UTF-16LE, UTF-16BE, UTF-32LE, UTF-32BE
    length: int  # characters at the start of the text that show it (the mark, or a sample)
    marked: bool  # told by a byte order mark, not by the NUL pattern


def _pattern(sample: str, period: int, zeros: tuple[int, ...]) -> bool:
    """Every character at the `zeros` positions (mod `period`) is NUL, and no other one is."""
    return all((char == "\x00") == (index % period in zeros) for index, char in enumerate(sample))


def foreign_encoding(text: str) -> Optional[Foreign]:
    """The UTF-16 or UTF-32 encoding `text` (decoded as UTF-8) really is in, or None."""
    for mark, name in _MARKS:
        if text.startswith(mark):
            return Foreign(name, len(mark), True)
    if "\x00" not in text[:_SAMPLE]:
        return None
    # whole code units only: a sample cut in the middle of one would break the pattern
    for name, period, zeros in (
        ("UTF-32LE", 4, (1, 2, 3)),
        ("UTF-32BE", 4, (0, 1, 2)),
        ("UTF-16LE", 2, (1,)),
        ("UTF-16BE", 2, (0,)),
    ):
        size = min(len(text), _SAMPLE) // period * period
        if size >= period * 2 and _pattern(text[:size], period, zeros):
            return Foreign(name, period, False)
    return None
