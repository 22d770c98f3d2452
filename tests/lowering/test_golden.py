"""Golden outputs: the old frontend's own test cases (astro-provider-venv's transforms_test.go),
and a few mixed files, compiled with pyenvc.

Each case is `tests/lowering/golden/<case>.Dockerfile` -> `<case>.expected`, with the options
and the warnings it must draw listed here. Differences from the old frontend's outputs are on
purpose and listed in README.md (interpreter prefix, USER restore, exec form,
venv before requirements, `${ver}` kept with `-base` appended, ...).

To regenerate after a deliberate change: `PYENVC_UPDATE_GOLDEN=1 pytest tests/lowering/test_golden.py`,
then read the diff.
"""

from __future__ import annotations

import difflib
import os
import pathlib

import pytest

import pyenvc

HERE = pathlib.Path(__file__).parent / "golden" / "lowering"

CASES = {
    # case: (compile options, expected diagnostic codes)
    # PYENV108: a requirements path and no build context, so the hash-checking mode is not known
    "one_venv_requirements": ({}, ["PYENV108"]),
    "two_python_versions": (
        {"build_args": {"baseimage": "quay.io/astronomer/astro-runtime:13.0.0"}},
        ["PYENV103", "PYENV101", "PYENV108"],
    ),
    "one_version_two_venvs": ({}, []),
    "python37_m_symlink": ({}, ["PYENV102", "PYENV101", "PYENV108"]),
    "arg_runtime_default": ({}, ["PYENV103"]),
    "arg_runtime_build_arg": ({"build_args": {"ver": "11.13.0"}}, ["PYENV103"]),
    "non_runtime_left_alone": ({}, ["PYENV102"]),
    "onbuild_kept": ({}, []),
    "crlf_multistage_airflow": ({}, []),
    "backtick_shell_workdir": ({}, []),
    "heredoc_requirements_crlf": ({}, []),
    # stages layout: venv stages before stage 1 and stage 2 shift `--from=1` to 2, then 3
    "renumbered_refs": ({"astro": False}, ["PYENV102"]),
}


def _read(path: pathlib.Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


LAYOUTS = {"inline": ".expected", "stages": ".stages.expected"}
# the stages layout's own warnings: a RUN before the PYENV keeps that venv inline (PYENV105)
STAGES_CODES = {"crlf_multistage_airflow": ["PYENV105"], "two_python_versions": ["PYENV105"]}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, layout: str) -> None:
    options, codes = CASES[case]
    text = _read(HERE / f"{case}.Dockerfile")
    result = pyenvc.compile(text, layout=layout, **options)
    # end-of-life warnings depend on the date: tests/test_lowering.py covers them
    found = sorted(d.code for d in result.diagnostics if d.code != "PYENV101")
    codes = codes + (STAGES_CODES.get(case, []) if layout == "stages" else [])
    assert found == sorted(c for c in codes if c != "PYENV101"), result.diagnostics
    assert result.output is not None
    expected_path = HERE / f"{case}{LAYOUTS[layout]}"
    if os.environ.get("PYENVC_UPDATE_GOLDEN"):
        expected_path.write_bytes(result.output.encode("utf-8", "surrogateescape"))
    expected = _read(expected_path)
    if result.output != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), result.output.splitlines(True), "expected", "actual"
            )
        )
        pytest.fail(f"{case}: output differs from the golden file\n{diff}")


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_is_stable(case: str, layout: str) -> None:
    """Compiling a golden output again changes nothing, and it has no PYENV left."""
    options, _codes = CASES[case]
    expected = _read(HERE / f"{case}{LAYOUTS[layout]}")
    again = pyenvc.compile(expected, layout=layout, **options)
    assert again.output == expected
    assert not any(i.command == "pyenv" for i in pyenvc.parse(expected).instructions())


def test_arg_runtime_build_arg_changes_the_flavour() -> None:
    """The build arg is what picks the flavour: 11.12.0 is bullseye, 11.13.0 bookworm."""
    default = _read(HERE / "arg_runtime_default.expected")
    with_arg = _read(HERE / "arg_runtime_build_arg.expected")
    assert "python:3.11-slim-bullseye" in default
    assert "python:3.11-slim-bookworm" in with_arg
    # the variable is kept and `-base` appended, whatever the value
    assert "FROM quay.io/astronomer/astro-runtime:${ver}-base\n" in default
    assert "FROM quay.io/astronomer/astro-runtime:${ver}-base\n" in with_arg


def test_no_pyenv_runtime_file_left_alone() -> None:
    """The old frontend rewrote every runtime FROM; pyenvc only where the stage has a PYENV."""
    text = "ARG ver=7.0.0\nFROM quay.io/astronomer/astro-runtime:${ver}\nRUN true\n"
    assert pyenvc.compile(text).output == text
