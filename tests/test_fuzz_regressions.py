"""Inputs that once broke pyenvc (found by the fuzzers or the corpus), kept in fuzz/regressions/
and run through the fuzz targets' own checks on every test run: the files at the top through
fuzz_parser.py's, `options/*.json` (a compile() call) through fuzz_options.py's and `argv/*.json`
(a command line and its stdin) through fuzz_argv.py's."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
REGRESSIONS = sorted(p for p in (FUZZ / "regressions").iterdir() if p.is_file())
CALLS = {target: sorted((FUZZ / "regressions" / target).glob("*.json")) for target in ("options", "argv")}


def _fuzz_module(name: str):
    """A fuzz target's module, loaded without atheris (a stand-in that instruments nothing)."""
    stub = types.ModuleType("atheris")
    stub.instrument_imports = lambda: __import__("contextlib").nullcontext()
    sys.modules.setdefault("atheris", stub)
    spec = importlib.util.spec_from_file_location(name, FUZZ / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _fuzz_module("fuzz_parser").check


def test_there_are_regressions_to_run():
    assert len(REGRESSIONS) >= 5
    assert all(CALLS.values())


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_input_passes_the_fuzz_check(path):
    check(path.read_bytes())


@pytest.mark.parametrize(
    ("target", "path"),
    [(target, path) for target, paths in CALLS.items() for path in paths],
    ids=[f"{target}/{path.stem}" for target, paths in CALLS.items() for path in paths],
)
def test_regression_call_passes_its_fuzz_check(target, path):
    _fuzz_module(f"fuzz_{target}").check_call(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("target", ["options", "argv"])
def test_the_targets_decode_any_bytes_into_a_call_they_check(target):
    """The byte decoder is total: empty, short and long inputs all make calls that pass."""
    module = _fuzz_module(f"fuzz_{target}")
    for data in (b"", b"\x00", b"\xff" * 3, bytes(range(256)) * 2):
        module.check(data)
