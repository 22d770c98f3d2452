"""The pre-commit hook `pyenvc` (.pre-commit-hooks.yaml), run as pre-commit runs it, in a real git
repository: its entry and args from the file, at each step of a user's commits. It fails (exit 1)
when it created or changed the generated Dockerfile, so the commit stops until the file is added,
and passes when the file is up to date."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import PROJECT, missing_prerequisite


def _hook(hook_id: str) -> list[str]:
    """`entry` + `args` of a hook in .pre-commit-hooks.yaml (a flat file: one key a line)."""
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    block = re.search(rf"^- id: {re.escape(hook_id)}\n((?:  .*\n)+)", text, re.M)
    assert block is not None, hook_id
    fields = dict(re.findall(r"^  (\w+): (.*)$", block.group(1), re.M))
    args = [a.strip() for a in fields["args"].strip("[]").split(",")]
    assert fields["language"] == "python" and fields["pass_filenames"] == "false"
    return fields["entry"].split() + args


def _git(repo: Path, *argv: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    return subprocess.run(["git", *argv], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def _run_hook(repo: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    assert command[0] == "pyenvc"
    return subprocess.run([sys.executable, "-m", "pyenvc", *command[1:]], cwd=repo, capture_output=True, text=True)


SOURCE = "FROM apache/airflow:2.10.5\nPYENV 3.11 etl\n"


def test_the_hook_fails_when_it_creates_or_changes_the_generated_file(tmp_path) -> None:
    if shutil.which("git") is None:
        missing_prerequisite("git")
    command = _hook("pyenvc")
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "Dockerfile.pyenv").write_text(SOURCE)
    _git(repo, "add", "Dockerfile.pyenv")

    # The first commit: Dockerfile does not exist yet. The hook writes it and fails.
    first = _run_hook(repo, command)
    assert first.returncode == 1
    assert first.stderr == "pyenvc: created Dockerfile from Dockerfile.pyenv: add it (`git add Dockerfile`) and commit again\n"
    assert "?? Dockerfile" in _git(repo, "status", "--porcelain")

    # Added: the hook passes, writes nothing, and the commit goes through with both files.
    _git(repo, "add", "Dockerfile")
    again = _run_hook(repo, command)
    assert (again.returncode, again.stderr) == (0, "")
    _git(repo, "commit", "-q", "-m", "both")
    assert _git(repo, "status", "--porcelain") == ""

    # The source changes: the hook rewrites Dockerfile and fails again.
    (repo / "Dockerfile.pyenv").write_text(SOURCE + "ENV X=1\n")
    changed = _run_hook(repo, command)
    assert changed.returncode == 1 and changed.stderr.startswith("pyenvc: changed Dockerfile from Dockerfile.pyenv")
    assert "ENV X=1" in _git(repo, "diff", "Dockerfile")

    # The check-only hook agrees with what was written.
    check = _hook("pyenvc-check")
    assert _run_hook(repo, check).returncode == 0
    (repo / "Dockerfile").write_text("FROM stale\n")
    assert _run_hook(repo, check).returncode == 1


@pytest.mark.parametrize("argv", [["--fail-on-change", "Dockerfile.pyenv"], ["--fail-on-change", "Dockerfile.pyenv", "-o", "-"]])
def test_fail_on_change_needs_an_output_file(tmp_path, argv) -> None:
    (tmp_path / "Dockerfile.pyenv").write_text(SOURCE)
    done = subprocess.run([sys.executable, "-m", "pyenvc", *argv], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == "pyenvc: error: --check, --diff and --fail-on-change compare with an output file: give -o OUT\n"
