"""A real build of examples/astro-project's generated Dockerfile with BuildKit, and the proof of
the interpreter design (docs/README-lowering.md, "The base image's own Python is never
overwritten"): the runtime's own Python 3.12, which Airflow runs on, is byte for byte the base
image's after `PYENV 3.12 tools` and two other Python versions are added; each venv runs its
own Python with its own packages, isolated from Airflow's; the USER is the runtime's again.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import missing_prerequisite

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "astro-project"
BASE = "quay.io/astronomer/astro-runtime:12.1.0-base"
TAG = "pyenvc-test/astro-project-example:latest"

CHECK = r"""
set -eu
echo "user=$(id -un) $(id -u):$(id -g)"
for v in legacy reports tools; do
  eval py=\$ASTRO_PYENV_$v
  echo "$v=$($py -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.base_prefix)')"
done
$ASTRO_PYENV_legacy -c 'import six'
$ASTRO_PYENV_reports -c 'import tabulate'
$ASTRO_PYENV_tools -c 'import packaging'
if $ASTRO_PYENV_tools -c 'import airflow' 2>/dev/null; then echo tools-sees-airflow=yes; else echo tools-sees-airflow=no; fi
echo "base=$(/usr/local/bin/python3.12 -c 'import airflow, sys; print(sys.prefix)')"
sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0 | cut -c1-64 | tr '\n' ' '
echo
ls /usr/local/lib | grep -c 'python3\.\(8\|11\)' || true
"""


def _docker_env() -> dict[str, str]:
    env = dict(os.environ)
    if "DOCKER_HOST" not in env:
        sock = Path(env.get("PYENVC_E2E_DIR", "/tmp/pyenvc-e2e")) / "docker.sock"
        env["DOCKER_HOST"] = f"unix://{sock}"
    env["DOCKER_BUILDKIT"] = "1"
    return env


@pytest.fixture(scope="module")
def docker() -> dict[str, str]:
    env = _docker_env()
    if shutil.which("docker") is None:
        missing_prerequisite("no docker client on PATH (run scripts/e2e-setup)")
    probe = subprocess.run(["docker", "image", "inspect", BASE], env=env, capture_output=True, timeout=60)
    if probe.returncode != 0:
        missing_prerequisite(f"no Docker daemon with the local image {BASE} (run scripts/e2e-setup)")
    return env


def _run(args: list[str], env: dict[str, str], **kwargs) -> str:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def test_example_builds_and_keeps_the_runtimes_python(docker) -> None:
    _run(["docker", "build", "--network=host", "-t", TAG, str(EXAMPLE)], docker, timeout=1200)
    lines = _run(["docker", "run", "--rm", "--network=host", TAG, "sh", "-c", CHECK], docker, timeout=300).splitlines()
    facts = dict(line.split("=", 1) for line in lines if "=" in line)
    assert facts["user"] == "astro 50000:0"  # the runtime's USER, restored after every PYENV
    assert facts["legacy"] == "3.8 /opt/pyenvc/python3.8"
    assert facts["reports"] == "3.11 /opt/pyenvc/python3.11"
    assert facts["tools"] == "3.12 /opt/pyenvc/python3.12"  # same X.Y as Airflow's: its own copy
    assert facts["tools-sees-airflow"] == "no"
    assert facts["base"] == "/usr/local"  # Airflow still imports on the base's Python
    checksums = lines[-2].split()
    base = _run(
        ["docker", "run", "--rm", BASE, "sh", "-c",
         "sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0 | cut -c1-64 | tr '\\n' ' '"],
        docker, timeout=300,
    ).split()
    assert checksums == base  # not a byte of the base's interpreter changed
    assert lines[-1].strip() == "0"  # nothing of 3.8 or 3.11 went to /usr/local/lib


UNKNOWN = (
    "# escape=`\r\n"
    "FROM debian:bookworm-slim AS first\r\n"
    'SHELL ["/nonexistent/pwsh", "-Command"]\r\n'
    "WORKDIR /tmp/elsewhere\r\n"
    "USER nobody\r\n"
    "PYENV `\r\n"
    "  # a comment inside the continuation`\r\n"
    "  3.8 old\r\n"
    "FROM first\r\n"
    "PYENV 3.11 new\r\n"
)


def test_unknown_image_crlf_backtick_shell_workdir_multistage(docker, tmp_path) -> None:
    """An image pyenvc does not know (no home, no user), a CRLF file with the backtick escape,
    a SHELL that does not exist and a WORKDIR before the PYENV, and a second stage built FROM
    the first: the generated steps build, each stage has its interpreter, the USER is restored."""
    import pyenvc

    result = pyenvc.compile(UNKNOWN)
    # the unknown image, for each stage (end-of-life warnings depend on the date)
    assert [d.code for d in result.diagnostics if d.code != "PYENV101"] == ["PYENV102", "PYENV102"]
    (tmp_path / "Dockerfile").write_bytes(result.output.encode())
    tag = "pyenvc-test/unknown-image:latest"
    _run(["docker", "build", "--network=host", "-t", tag, str(tmp_path)], docker, timeout=1200)
    script = (
        "id -un; stat -c '%u:%g' /home/astro /home/astro/.venv/old /home/astro/.venv/new;"
        " /home/astro/.venv/old/bin/python -c 'import sys; print(sys.version_info[:2])';"
        " $ASTRO_PYENV_new -c 'import sys; print(sys.version_info[:2])'"
    )
    out = _run(["docker", "run", "--rm", "--entrypoint", "/bin/sh", tag, "-c", script], docker, timeout=300)
    assert out.split("\n")[:6] == ["nobody", "50000:0", "50000:0", "50000:0", "(3, 8)", "(3, 11)"]
