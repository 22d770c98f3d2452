"""Inputs that once broke pyenvc (found by the fuzzer or the corpus), kept in fuzz/regressions/
and run through the fuzz target's own check on every test run."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

REGRESSIONS = sorted((Path(__file__).resolve().parent.parent / "fuzz" / "regressions").iterdir())


def _fuzz_check():
    """The fuzz target's `check`, loaded without atheris (a stand-in that instruments nothing)."""
    stub = types.ModuleType("atheris")
    stub.instrument_imports = lambda: __import__("contextlib").nullcontext()
    sys.modules.setdefault("atheris", stub)
    path = Path(__file__).resolve().parent.parent / "fuzz" / "fuzz_parser.py"
    spec = importlib.util.spec_from_file_location("fuzz_parser", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check


check = _fuzz_check()


def test_there_are_regressions_to_run():
    assert len(REGRESSIONS) >= 5


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_input_passes_the_fuzz_check(path):
    check(path.read_bytes())
