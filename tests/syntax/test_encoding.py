"""Files Docker cannot read as UTF-8 (UTF-16, UTF-32, with or without a byte order mark) are
DF011, in the library and on the command line; a UTF-8 byte order mark is no column of line 1."""

from __future__ import annotations

import pytest

import pyenvc
from support import run_cli
from pyenvc.diagnostics import render_text
from pyenvc.source import Source
from pyenvc.syntax.encoding import foreign_encoding

TEXT = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 etl reqs.txt\n"


def as_read(data: bytes) -> str:
    """The text as pyenvc reads a file."""
    return data.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("marked", [True, False], ids=["bom", "no-bom"])
def test_utf16_and_utf32_are_refused(encoding: str, marked: bool) -> None:
    data = (("\ufeff" if marked else "") + TEXT).encode(encoding)
    result = pyenvc.compile(as_read(data))
    assert result.output is None
    (d,) = result.diagnostics
    assert (d.code, d.line, d.column) == ("DF011", 1, 1)
    assert f"the file is {encoding[:-3].upper()}{encoding[-2:].upper()} text" in d.message
    assert ("byte order mark" if marked else "NUL bytes") in d.message
    assert "UTF-8" in d.hint and d.hint.startswith("save")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\ufeffRUN x".encode("utf-16-le"), "UTF-16LE"),
        ("\ufeffRUN x".encode("utf-16-be"), "UTF-16BE"),
        ("\ufeffRUN x".encode("utf-32-le"), "UTF-32LE"),
        ("\ufeffRUN x".encode("utf-32-be"), "UTF-32BE"),
        ("FROM debian\n".encode("utf-16-le"), "UTF-16LE"),
        ("FROM debian\n".encode("utf-32-be"), "UTF-32BE"),
        ("\ufeffFROM \u00e9\u20ac\n".encode("utf-16-le"), "UTF-16LE"),  # non-ASCII after the mark
    ],
)
def test_the_encoding_is_named(data: bytes, expected: str) -> None:
    found = foreign_encoding(as_read(data))
    assert found is not None and found.encoding == expected


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode(),
        ("\ufeff" + TEXT).encode(),  # UTF-8 with its mark: Docker's own
        b"FROM x\nRUN printf '\\0'\n",
        b"FROM x\nRUN a\x00b\n",  # a NUL or two inside an instruction is not a pattern
        b"\xff\x00",  # too short to tell
        "FROM caf\u00e9\n".encode("latin-1"),
    ],
)
def test_utf8_and_odd_bytes_are_not_mistaken_for_utf16(data: bytes) -> None:
    assert foreign_encoding(as_read(data)) is None


def test_command_line_exits_1_and_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_bytes(("\ufeff" + TEXT).encode("utf-16-le"))
    code, out, err = run_cli(["Dockerfile", "-o", "out"])
    assert (code, out) == (1, b"")
    assert not (tmp_path / "out").exists()
    assert err.startswith("Dockerfile:1:1: error[DF011]: the file is UTF-16LE text")
    assert "help: save the file as UTF-8" in err
    code, out, err = run_cli(["-"], stdin=TEXT.encode("utf-16-be"))
    assert code == 1 and "error[DF011]" in err and "UTF-16BE" in err


# Diagnostics on line 1 of a file with a UTF-8 byte order mark: each column as an editor shows
# it, the mark not counted; (text after the mark, code, column).
LINE_ONE = [
    ("PYENV 3.11 a\nFROM x\n", "PYENV001", 1),
    ("  pyenv 3.11 a\nFROM x\n", "PYENV001", 3),
    ("# escape=x\nFROM x\n", "DF004", 1),
    ("FROM x\nENV A\n", "DF006", 1),
    ("RUN <<EOF\n", "DF002", 5),
    ("PYEVN 3.11 a\n", "DF012", 1),
    ("FROM debian\nPYENV 3.11 a\n", "PYENV102", 6),
]


@pytest.mark.parametrize(("text", "code", "column"), LINE_ONE)
def test_a_utf8_bom_is_no_column_of_line_1(text: str, code: str, column: int) -> None:
    with_bom = "\ufeff" + text
    found = [d for d in pyenvc.compile(with_bom).diagnostics if d.code == code]
    assert found, pyenvc.compile(with_bom).diagnostics
    first = found[0]
    plain = [d for d in pyenvc.compile(text).diagnostics if d.code == code][0]
    assert (first.line, first.column) == (plain.line, plain.column)
    if first.line == 1:
        assert first.column == column
        rendered = render_text(first, Source(with_bom)).splitlines()
        assert "\ufeff" not in rendered[2]  # the excerpt shows the line as an editor does
        assert rendered[3].index("^") - rendered[2].index("|") - 2 == column - 1


def test_a_bom_line_one_position_round_trips() -> None:
    source = Source("\ufeffFROM x\nRUN y\n")
    assert source.position(0) == (1, 1)  # the mark itself: the line's start
    assert source.position(1) == (1, 1)
    assert source.position(5) == (1, 5)
    assert source.offset(1, 1) == 1 and source.offset(2, 1) == 8
    assert source.line_text(1) == "FROM x"

