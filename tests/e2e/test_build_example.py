"""A real build of examples/astro-project's generated Dockerfile with BuildKit, and the proof of
the interpreter design (README, "The base image's own Python is never overwritten"): the
runtime's own Python 3.12, which Airflow runs on, is byte for byte the base image's after
`PYENV 3.12 tools` and two other Python versions are added; each venv runs its own Python with
its own packages, isolated from Airflow's; the USER is the runtime's again.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import PYTHON_SLIM, RUNTIME_BASE, RUNTIME_ONBUILD, Docker

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "examples" / "astro-project"

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


def test_example_builds_and_keeps_the_runtimes_python(docker: Docker, runtime_base: str, example_copy, tmp_path: Path) -> None:
    for image in (RUNTIME_ONBUILD, *PYTHON_SLIM.values()):
        docker.require_image(image)
    # The checked-in generated Dockerfile, with (a copy of) the example folder as the build context.
    built = docker.build((EXAMPLE / "Dockerfile").read_text("utf-8"), context=example_copy(tmp_path / "example"))
    lines = docker.sh(built.tag, CHECK).splitlines()
    facts = dict(line.split("=", 1) for line in lines if "=" in line)
    assert facts["user"] == "astro 50000:0"  # the runtime's USER, restored after every PYENV
    assert facts["legacy"] == "3.8 /opt/pyenvc/python3.8"
    assert facts["reports"] == "3.11 /opt/pyenvc/python3.11"
    assert facts["tools"] == "3.12 /opt/pyenvc/python3.12"  # same X.Y as Airflow's: its own copy
    assert facts["tools-sees-airflow"] == "no"
    assert facts["base"] == "/usr/local"  # Airflow still imports on the base's Python
    checksums = lines[-2].split()
    base = docker.sh(
        RUNTIME_BASE,
        "sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0 | cut -c1-64 | tr '\\n' ' '",
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


def test_unknown_image_crlf_backtick_shell_workdir_multistage(docker: Docker) -> None:
    """An image pyenvc does not know (no home, no user), a CRLF file with the backtick escape,
    a SHELL that does not exist and a WORKDIR before the PYENV, and a second stage built FROM
    the first: the generated steps build, each stage has its interpreter, the USER is restored."""
    import pyenvc

    for image in ("debian:bookworm-slim", PYTHON_SLIM["3.8"], PYTHON_SLIM["3.11"]):
        docker.require_image(image)
    # pip: its venvs need no index (a uv venv is seeded from it, and this image's system
    # store lacks the CA of the proxy that this machine reaches PyPI through)
    result = pyenvc.compile(UNKNOWN, installer="pip")
    # the unknown image, for each stage (end-of-life warnings depend on the date)
    assert [d.code for d in result.diagnostics if d.code != "PYENV101"] == ["PYENV102", "PYENV102"]
    built = docker.build(result.output)
    script = (
        "id -un; stat -c '%u:%g' /home/astro /home/astro/.venv/old /home/astro/.venv/new;"
        " /home/astro/.venv/old/bin/python -c 'import sys; print(sys.version_info[:2])';"
        " $ASTRO_PYENV_new -c 'import sys; print(sys.version_info[:2])'"
    )
    out = docker.run(built.tag, "-c", script, entrypoint="/bin/sh")
    assert out.split("\n")[:6] == ["nobody", "50000:0", "50000:0", "50000:0", "(3, 8)", "(3, 11)"]
