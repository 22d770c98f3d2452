"""What the tests share, under a module name of its own (every conftest.py is `conftest`):
where the corpus is, what a missing prerequisite does, and the command run in-process."""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PYENVC_CORPUS", PROJECT.parent / "shared" / "corpus"))
# Docker's own .dockerignore verdicts (see the README beside the file)
DOCKERIGNORE_CASES = Path(os.environ.get("PYENVC_DOCKERIGNORE_CASES", PROJECT.parent / "shared" / "dockerignore" / "cases.tsv"))


# frontend/dockerfile/command/command.go, written out here so the tests do not take the list
# they check from the code under test
BUILDKIT_COMMANDS = frozenset(
    "add arg cmd copy entrypoint env expose from healthcheck label maintainer onbuild run shell stopsignal user"
    " volume workdir".split()
)


def missing_prerequisite(reason: str) -> None:
    """Skip a test whose prerequisite is absent; under CI=true fail it, so that a broken
    setup never passes as green."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"prerequisite missing under CI: {reason}")
    pytest.skip(reason)


class CorpusFile:
    """One corpus Dockerfile and BuildKit's answer for it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path.relative_to(CORPUS))
        self.data = path.read_bytes()
        self.text = self.data.decode("utf-8", "surrogateescape")
        self.expected = json.loads(path.with_name(path.name + ".buildkit.json").read_text("utf-8"))

    @property
    def accepted(self) -> bool:
        return "error" not in self.expected

    @property
    def unknown_instruction_lines(self) -> list[int]:
        """Where BuildKit's parser read an instruction that its build then rejects as unknown
        (the parser takes any keyword; instructions.Parse knows only these)."""
        return [c["start_line"] for c in self.expected.get("commands", []) if c["cmd"].lower() not in BUILDKIT_COMMANDS]

    @property
    def builds(self) -> bool:
        """BuildKit's parser accepts the file, and it holds no instruction its build rejects."""
        return self.accepted and not self.unknown_instruction_lines

    def __repr__(self) -> str:
        return self.name


def corpus_paths() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.with_name(p.name[: -len(".buildkit.json")]) for p in CORPUS.glob("*/*.buildkit.json"))


class _Keep(io.BytesIO):
    def close(self) -> None:  # the TextIOWrapper closes its buffer when collected
        pass


def run_cli(argv, stdin: bytes = b""):
    """pyenvc.cli.main() in this process with byte-level stdin, stdout and stderr; returns
    (exit code, stdout bytes, stderr text)."""
    from pyenvc.commands import main as cli

    out, err = _Keep(), _Keep()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    sys.stdout = io.TextIOWrapper(out, write_through=True)
    sys.stderr = io.TextIOWrapper(err, write_through=True)
    try:
        code = cli.main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue().decode("utf-8", "replace")


def without_root_overrides() -> None:
    """A `preexec_fn`: the child keeps its uid, even root, but loses the capabilities that let
    root read and write whatever the file modes say (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
    dropped from its bounding set before exec. So a test of an unwritable folder proves
    something when the tests run as root, as CI's do."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_pyenvc(argv, cwd, *, timeout: float = 60, **streams) -> "subprocess.CompletedProcess[str]":
    """`python -m pyenvc ARGV` in `cwd`, as a process that file modes bind even as root; a
    hang fails the test (subprocess.TimeoutExpired) after `timeout` seconds. `streams` may give
    `stdin` or `stdout` (what is not given is captured)."""
    import subprocess

    streams.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "pyenvc", *argv], cwd=cwd, stderr=subprocess.PIPE, text=True,
        preexec_fn=without_root_overrides, timeout=timeout, **streams,
    )


def run_command(line: str) -> str:
    """What a generated `RUN ... [argv]` line runs, as one shell command line: the script of a
    `["/bin/sh", "-c", script]`, else the argv quoted and joined. '' for any other line. Tests
    read commands through this, whichever form the step has."""
    if not line.startswith("RUN ") or '["' not in line:
        return ""
    argv = json.loads(line[line.index('["'):])
    return argv[2] if argv[:2] == ["/bin/sh", "-c"] and len(argv) == 3 else shlex.join(argv)
