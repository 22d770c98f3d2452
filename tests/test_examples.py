"""examples/astro-project: the generated Dockerfile is in sync with Dockerfile.pyenv, compiles
without errors in its own context, its DAG names only venvs the Dockerfile declares, and the
pre-commit hook definitions run the command the README documents."""

from __future__ import annotations

from pathlib import Path

import pyenvc
from pyenvc.commands import main as cli

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "examples" / "astro-project"


def test_generated_dockerfile_is_in_sync() -> None:
    source = EXAMPLE / "Dockerfile.pyenv"
    result = pyenvc.compile(source.read_text(), path=str(source), context=str(EXAMPLE))
    assert [d.code for d in result.diagnostics if d.is_error] == []
    assert {d.code for d in result.diagnostics} <= {"PYENV101"}  # Python 3.8's end of life
    assert result.output == (EXAMPLE / "Dockerfile").read_text(), "run: pyenvc examples/astro-project/Dockerfile.pyenv -o examples/astro-project/Dockerfile"


def test_example_uses_three_python_versions_and_the_runtime() -> None:
    text = (EXAMPLE / "Dockerfile.pyenv").read_text()
    versions = [i.logical.split()[1] for i in pyenvc.parse(text).instructions() if i.command == "pyenv"]
    assert versions == ["3.8", "3.11", "3.12"]
    assert "astro-runtime:12.1.0" in text


def test_check_passes_and_dags_match(monkeypatch) -> None:
    monkeypatch.chdir(EXAMPLE)
    assert cli.main(["Dockerfile.pyenv", "-o", "Dockerfile", "--check"]) == 0
    assert cli.main(["check-dags", "Dockerfile.pyenv", "dags"]) == 0


def test_pre_commit_hooks_file() -> None:
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: pyenvc\n" in text and "- id: pyenvc-check\n" in text
    assert "args: [Dockerfile.pyenv, -o, Dockerfile, --check]" in text
