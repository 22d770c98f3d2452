"""The API reference builds from the docstrings (scripts/api-docs, pdoc, warnings as errors),
documents every public name, and the examples in the public docstrings run as written."""

from __future__ import annotations

import doctest
import os
import subprocess
from pathlib import Path

import pyenvc
import pyenvc.tooling

ROOT = Path(__file__).resolve().parents[1]


def test_the_reference_builds_and_names_every_public_name(tmp_path) -> None:
    result = subprocess.run([str(ROOT / "scripts" / "api-docs"), str(tmp_path)], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONWARNINGS": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    top = (tmp_path / "pyenvc.html").read_text("utf-8")
    tooling = (tmp_path / "pyenvc" / "tooling.html").read_text("utf-8")
    for name in pyenvc.__all__:
        assert f'id="{name}"' in top, name
    for name in pyenvc.tooling.__all__:
        assert f'id="{name}"' in tooling, name
    document = (tmp_path / "pyenvc" / "tooling" / "document.html").read_text("utf-8")
    for method in ("stages", "state_at", "references", "venvs", "with_base_image", "with_label", "with_stage_renamed"):
        assert f'id="Document.{method}"' in document, method


def test_every_public_name_has_a_docstring() -> None:
    for module in (pyenvc, pyenvc.tooling):
        for name in module.__all__:
            assert (getattr(module, name).__doc__ or "").strip(), f"{module.__name__}.{name}"


def test_the_docstring_examples_run() -> None:
    for module in (pyenvc.tooling,):
        failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert attempted > 0 and failed == 0, module.__name__
