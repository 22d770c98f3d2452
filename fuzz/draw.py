"""Turn the fuzzer's bytes into choices, without atheris, so that a saved input replays in the
tests (tests/test_fuzz_regressions.py) exactly as the fuzzer ran it.

In: bytes. Out: numbers, picks from a list, short texts; past the end of the bytes every draw
is the first choice, so any input is a complete call.
"""

from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")

# characters a random text is drawn from, beside any code point: what breaks parsers and shells
AWKWARD = list("\0\t\n\r \\\"'$`;&|<>()[]{}*?!#=:,./-_~@%^+") + ["\udcff", "\ufeff", "\u2028", "é", "٣", "Ω"]


class Draw:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        if self.at >= len(self.data):
            return 0
        self.at += 1
        return self.data[self.at - 1]

    def below(self, n: int) -> int:
        """A number in 0..n-1."""
        value = 0
        for _ in range(1 if n <= 256 else 4):
            value = value * 256 + self.byte()
        return value % n if n > 0 else 0

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def chance(self, out_of: int) -> bool:
        """True once in `out_of` draws, on average."""
        return self.below(out_of) == 0

    def integer(self) -> int:
        return self.pick([0, 1, -1, 7, 1000, 50000, 2**31 - 1, 2**31, -(2**31), 2**63, 10**30, self.below(2**32) - 2**31])

    def text(self, most: int = 12) -> str:
        chars = []
        for _ in range(self.below(most + 1)):
            if self.chance(3):
                chars.append(self.pick(AWKWARD))
            elif self.chance(4):
                code = self.below(0x110000)
                chars.append(chr(code))
            else:
                chars.append(chr(0x61 + self.below(26)))
        return "".join(chars)
