"""BuildKit's line limit (65535 bytes) is checked in time linear in the file: lines just short of
the length where the check starts looking (16K characters) once cost the square of their length
each (an unanchored regular expression tried at every position of them)."""

from __future__ import annotations

import time

import pytest

import pyenvc
from pyenvc.syntax.lexer import MAX_LINE_BYTES, ParseError


def test_many_lines_just_short_of_the_check_parse_fast() -> None:
    line = "RUN " + "a" * (MAX_LINE_BYTES // 4 - 10) + "\n"
    text = "FROM x\n" + line * 40  # 40 lines of 16K characters: 40 s when quadratic
    started = time.perf_counter()
    tree = pyenvc.parse(text)
    assert time.perf_counter() - started < 5
    assert len(tree.instructions()) == 41


@pytest.mark.parametrize("extra", [0, 1])
def test_the_limit_itself_still_holds(extra: int) -> None:
    text = "FROM x\nRUN " + "é" * ((MAX_LINE_BYTES - 4) // 2) + "a" * extra + "x\n"
    size = len(text.split("\n")[1].encode())
    if size > MAX_LINE_BYTES:
        with pytest.raises(ParseError) as caught:
            pyenvc.parse(text)
        assert caught.value.diagnostics[0].code == "DF005"
    else:
        pyenvc.parse(text)
