"""Python versions as the spec's Syntax section has them: ASCII digits without leading zeros,
pre-releases only in full, only versions CPython has (PYENV024 names the known ones), the
newest-plus-one a warning (PYENV106); and the table of releases, end-of-life dates and image
flavours, Python 3.15 and Debian trixie included."""

from __future__ import annotations

import datetime
import unicodedata

import pytest

import pyenvc
from pyenvc.lowering import pythons

R = "FROM quay.io/astronomer/astro-runtime:12.1.0\n"


def codes(version: str, **options) -> list[str]:
    return [d.code for d in pyenvc.compile(f"{R}PYENV {version} a\n", **options).diagnostics]


@pytest.mark.parametrize(
    ("text", "minor"),
    [("3.8", 8), ("3.12", 12), ("3.12.4", 12), ("3.14.0rc1", 14), ("3.13.0b2", 13), ("3.14.0a1", 14),
     ("3.15", 15), ("3.15.0", 15), ("3.10.10", 10), ("3.9.0rc2", 9), ("3.16.0a1", 16)],
)
def test_well_formed_versions(text: str, minor: int) -> None:
    version = pythons.parse_version(text)
    assert isinstance(version, pythons.PythonVersion)
    assert (version.text, version.major, version.minor) == (text, 3, minor)


def _digits_of_other_scripts() -> list[str]:
    """One digit three and one digit one from each script Unicode has decimal digits for that
    Python's `\\d` and int() accept: Arabic-Indic, Devanagari, full-width, Bengali ..."""
    found = []
    for zero in (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10, 0x1D7CE):
        three, one = chr(zero + 3), chr(zero + 1)
        assert unicodedata.decimal(three) == 3 and int(three + one) == 31
        found.append(f"{three}.{one}{chr(zero + 2)}")
        found.append(f"3.{one}{one}")  # only the minor version in another script
    return found


@pytest.mark.parametrize(
    "text",
    [
        *_digits_of_other_scripts(),
        "3.012", "03.12", "3.12.04", "3.00", "3.1.00",  # leading zeros
        "3.14rc1", "3.14a1", "3.13b2", "3.16rc1",  # short pre-releases
        "3.14.0rc0", "3.14.0rc01", "3.14.0c1", "3.14.0RC1", "3.14.0-rc1", "3.14.0.rc1",
        "3", "3.", ".12", "3.x", "3.12.", "3.12.4.1", "v3.12", "3.12-slim", "", "three",
        "+3.12", "3.1_2", "3 .12",
    ],
)
def test_malformed_versions(text: str) -> None:
    assert pythons.parse_version(text) == "malformed"


@pytest.mark.parametrize("text", ["3.111", "3.99", "3.17", "3.17.0", "3.20.0rc1", "4.0", "4.1.2", "1.6", "0.9"])
def test_versions_no_cpython_has(text: str) -> None:
    assert pythons.parse_version(text) == "unknown"


@pytest.mark.parametrize("text", ["2.7", "2.7.18", "2", "2.6.9"])
def test_python_2(text: str) -> None:
    assert pythons.parse_version(text) == "python2"


@pytest.mark.parametrize("version", ["\uff13.\uff11\uff12", "3.\u0661\u0662", "3.012", "03.12", "3.14rc1", "3.12.04"])
def test_malformed_is_pyenv023(version: str) -> None:
    result = pyenvc.compile(f"{R}PYENV {version} a\n")
    (d,) = result.diagnostics
    assert (d.code, d.line, d.column, result.output) == ("PYENV023", 2, 7, None)
    assert f"'{version}'" in d.message and "ASCII digits" in d.message
    assert "3.14.0rc1" in d.hint


@pytest.mark.parametrize("version", ["3.111", "3.99", "3.17", "4.0"])
def test_unknown_is_pyenv024_naming_the_known_versions(version: str) -> None:
    result = pyenvc.compile(f"{R}PYENV {version} a\n")
    (d,) = result.diagnostics
    assert (d.code, d.severity, result.output) == ("PYENV024", "error", None)
    assert f"'{version}'" in d.message and "3.3 to 3.15" in d.message and "3.16 in pre-release" in d.message


@pytest.mark.parametrize("version", ["3.16", "3.16.0a1", "3.16.0b3"])
def test_newest_plus_one_is_a_warning(version: str) -> None:
    result = pyenvc.compile(f"{R}PYENV {version} a\n")
    (d,) = result.diagnostics
    assert (d.code, d.severity, d.line, d.column) == ("PYENV106", "warning", 2, 7)
    assert "not released yet" in d.message and "3.15" in d.hint
    assert f"python:{version}-slim-bookworm" in result.output


def test_the_newest_release_is_3_15_and_the_table_follows_it() -> None:
    assert (pythons.NEWEST_MINOR, pythons.PRERELEASE_MINOR) == (15, 16)
    assert pythons.EOL[15] == datetime.date(2031, 10, 31)
    assert sorted(pythons.EOL) == list(range(5, 16))  # no gap
    assert all(pythons.EOL[m] < pythons.EOL[m + 1] for m in range(5, 15))
    assert codes("3.15") == [] and codes("3.15.0") == []


def test_end_of_life_of_3_15() -> None:
    version = pythons.parse_version("3.15")
    assert pythons.end_of_life(version, datetime.date(2031, 10, 31)) is None
    assert pythons.end_of_life(version, datetime.date(2031, 11, 1)) == datetime.date(2031, 10, 31)


@pytest.mark.parametrize(
    ("version", "flavour", "exists"),
    [
        ("3.9", "slim-trixie", True), ("3.15", "slim-trixie", True), ("3.15", "trixie", True),
        ("3.8", "slim-trixie", False), ("3.7", "trixie", False),
        ("3.15", "slim-bookworm", True), ("3.15", "slim-bullseye", False), ("3.13", "slim-bullseye", True),
    ],
)
def test_flavours_of_the_official_images(version: str, flavour: str, exists: bool) -> None:
    assert pythons.image_exists(pythons.parse_version(version), flavour) is exists
    found = codes(version, python_flavour=flavour)
    assert ("PYENV012" in found) is (not exists), found
