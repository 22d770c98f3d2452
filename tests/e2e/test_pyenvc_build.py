"""`pyenvc build` against the real e2e daemon: one command from a PYENV Dockerfile to an image
that runs; Docker's own arguments reaching Docker (and --build-arg reaching pyenvc's ARG
resolution too); a failing requirement install named by its PYENV line. Two small builds: the
second reuses the first's venv layers, only its requirements differ.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# ARG BASE's default is an image pyenvc does not know; --build-arg BASE=<the runtime> makes
# pyenvc recognise it (USER astro restored by name) and makes Docker build on it.
DOCKERFILE = """\
ARG BASE=debian:bookworm-slim
FROM ${BASE} AS app
ARG GREETING
PYENV 3.11 tools requirements/tools.txt
RUN echo "$GREETING" > /tmp/greeting

FROM app AS broken
RUN false
"""
PYENV_LINE = 4


def _project(root: Path, requirement: str) -> Path:
    (root / "requirements").mkdir(parents=True)
    (root / "requirements" / "tools.txt").write_text(requirement + "\n")
    (root / "Dockerfile.pyenv").write_text(DOCKERFILE)
    return root


def _pyenvc_build(docker, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = dict(docker.env, **env)
    environment["PATH"] = os.path.dirname(docker.client) + os.pathsep + environment.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "pyenvc", "build", *args],
        env=environment, cwd=cwd, capture_output=True, text=True, timeout=1800,
    )


def test_build_and_run_with_arguments_passed_through(docker, runtime_base, tmp_path) -> None:
    docker.require_image("python:3.11-slim-bookworm")
    _project(tmp_path / "project", "six")
    tag = "pyenvc-e2e/pyenvc-build:latest"
    docker.built.append(tag)
    proc = _pyenvc_build(
        docker,
        ["-f", "project/Dockerfile.pyenv", "--network", "host", "--progress=plain", "-t", tag,
         "--build-arg", f"BASE={runtime_base}", "--build-arg", "GREETING", "--target", "app",
         "--pyenvc-layout", "inline", "project"],
        tmp_path, GREETING="hello from the environment",
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert "PYENV102" not in proc.stderr  # BASE resolved from --build-arg: the runtime is known
    assert "RUN false" not in proc.stderr  # --target app: the broken stage was not built
    assert docker.user(tag) == "astro"  # the runtime's user, restored by name
    out = docker.sh(
        tag, 'cat /tmp/greeting; $ASTRO_PYENV_tools -c "import six, sys; print(sys.version_info[:2], six.__name__)"'
    ).splitlines()
    assert out == ["hello from the environment", "(3, 11) six"]


def test_a_failing_requirement_names_its_pyenv_line(docker, runtime_base, tmp_path) -> None:
    import pyenvc

    docker.require_image("python:3.11-slim-bookworm")
    project = _project(tmp_path / "project", "pyenvc-no-such-package-e2e==0.0.1")
    proc = _pyenvc_build(
        docker,
        ["--network=host", "--progress", "plain", "--build-arg", f"BASE={runtime_base}", "--target", "app",
         "-f", str(project / "Dockerfile.pyenv"), "--pyenvc-layout=inline", str(project)],
        tmp_path,
    )
    assert proc.returncode == 1, proc.stderr[-6000:]  # Docker's exit code
    # streamed through: uv's own message
    assert "pyenvc-no-such-package-e2e was not found in the package registry" in proc.stderr, proc.stderr[-3000:]
    # the generated line Docker names: the uv pip install of the venv `tools`
    output = pyenvc.compile(
        DOCKERFILE, context=str(project), build_args={"BASE": runtime_base}, layout="inline"
    ).output
    pip = [n for n, line in enumerate(output.split("\n"), 1) if "pip" in line and "install" in line][0]
    assert f"\nDockerfile:{pip}\n" in proc.stderr
    note = (
        f"{project}/Dockerfile.pyenv:{PYENV_LINE}: note: Docker's Dockerfile:{pip} was generated from this line\n"
        f"  |\n{PYENV_LINE} | PYENV 3.11 tools requirements/tools.txt\n  |\n"
    )
    assert proc.stderr.endswith(note), proc.stderr[-2000:]

