"""Real builds proving the stages layout equivalent to the inline one, and the uv installer.

examples/astro-project (Astro Runtime 12.1.0, PYENV 3.8, 3.11 and 3.12 with requirements) is
compiled with `layout="inline"` and `layout="stages"` and both are built with BuildKit. In the
two images: the same files at the venv paths (path, type, mode, owner, symlink target and, for
files other than compiled bytecode, content), the same ENV, the same USER, and every venv runs
its Python and imports its requirements. Both use the default installer, uv (default image: the
local stand-in for ghcr.io/astral-sh/uv that scripts/e2e-setup builds), which gives working
venvs with pip in them, compiled bytecode, and no uv left in the image.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pyenvc
from pyenvc.lowering import generate

from harness import PYTHON_SLIM, RUNTIME_ONBUILD, Docker
from support import run_command

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "examples" / "astro-project"
VENVS = {"legacy": ("3.8", "six"), "reports": ("3.11", "tabulate"), "tools": ("3.12", "packaging")}

# Every entry under the venvs and the interpreter prefixes: type, mode, owner, link target, and a
# checksum for regular files other than bytecode (whose headers hold the install time).
LISTING = r"""
set -eu
cd /
find /home/astro/.venv /opt/pyenvc -printf '%p %y %m %u:%g %l\n' | sort
find /home/astro/.venv /opt/pyenvc -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum
"""

CHECK = r"""
set -eu
echo "user=$(id -un)"
for v in legacy reports tools; do
  eval py=\$ASTRO_PYENV_$v
  echo "$v=$($py -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
done
$ASTRO_PYENV_legacy -c 'import six'
$ASTRO_PYENV_reports -c 'import tabulate'
$ASTRO_PYENV_tools -c 'import packaging'
"""


def _require_images(docker: Docker) -> None:
    for image in (RUNTIME_ONBUILD, *PYTHON_SLIM.values()):
        docker.require_image(image)


def _build(docker: Docker, example_copy, root: Path, name: str, **options) -> tuple[str, str]:
    """Compile the example with `options` into a copy of its context and build it: (tag, output)."""
    context = example_copy(root / name)
    text = (EXAMPLE / "Dockerfile.pyenv").read_text("utf-8")
    result = pyenvc.compile(text, path=str(context / "Dockerfile.pyenv"), context=str(context), **options)
    assert result.output is not None, result.diagnostics
    assert not [d for d in result.diagnostics if d.code not in ("PYENV101",)], result.diagnostics
    (context / "Dockerfile").write_text(result.output, "utf-8")
    return docker.build(result.output, context=context).tag, result.output


@pytest.fixture(scope="module")
def layouts(docker: Docker, runtime_base: str, example_copy, tmp_path_factory) -> dict[str, tuple[str, str]]:
    """The example built in both layouts with the default installer (uv): layout -> (tag, output).
    The example sets no TLS option: uv reaches PyPI through this machine's proxy, whose CA is only
    in the image's system store, because pyenvc passes `--system-certs`."""
    _require_images(docker)
    docker.require_image(generate.DEFAULT_UV_IMAGE)
    root = tmp_path_factory.mktemp("layouts")
    return {layout: _build(docker, example_copy, root, layout, layout=layout) for layout in ("inline", "stages")}


def _config(docker: Docker, tag: str) -> dict:
    config = docker.inspect(tag)["Config"]
    return {"Env": sorted(config["Env"]), "User": config["User"], "WorkingDir": config["WorkingDir"]}


def test_stages_layout_is_equivalent_to_inline(docker: Docker, layouts) -> None:
    (inline_tag, inline), (stages_tag, stages) = layouts["inline"], layouts["stages"]
    assert inline.count("\nFROM ") == 1 and stages.count("\nFROM ") == 4  # three venv stages
    assert "COPY --link --chown=50000:0 --from=pyenvc-0-legacy" in stages
    tags = (inline_tag, stages_tag)
    listings = [docker.sh(tag, LISTING) for tag in tags]
    assert listings[0] == listings[1]
    assert "/home/astro/.venv/tools/bin/python l 777 astro:root" in listings[0]
    assert _config(docker, tags[0]) == _config(docker, tags[1])
    for tag in tags:
        facts = dict(line.split("=", 1) for line in docker.sh(tag, CHECK).splitlines() if "=" in line)
        assert facts == {"user": "astro", **{name: version for name, (version, _) in VENVS.items()}}


@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_uv_default_gives_venvs_with_pip_and_bytecode_and_leaves_no_uv(docker: Docker, layouts, layout) -> None:
    tag, output = layouts[layout]
    commands = [run_command(line) for line in output.splitlines()]
    assert "--mount=from=ghcr.io/astral-sh/uv:" in output
    assert not any("-m pip install" in command and "/.venv/" in command for command in commands)
    assert '"--system-certs"' in output and "UV_NATIVE_TLS" not in output and "SSL_CERT" not in output
    script = (
        "$ASTRO_PYENV_reports -m pip --version >/dev/null && echo pip=yes;"
        " find /home/astro/.venv/reports/lib/python3.11/site-packages/tabulate -name '*.pyc' | wc -l;"
        " test -e /usr/local/bin/uv && echo uv-left=yes || echo uv-left=no;"
        " stat -c '%u:%g' /home/astro/.venv/reports /home/astro/.venv/reports/bin/python"
    )
    out = docker.sh(tag, script).split()
    assert out[0] == "pip=yes"  # seeded
    assert int(out[1]) >= 1  # bytecode compiled at build time
    assert out[2] == "uv-left=no"
    assert out[3:] == ["50000:0", "50000:0"]


def test_arg_and_env_reach_each_venv_through_the_env_stages(docker: Docker, runtime_base: str) -> None:
    """The stage's ARG and ENV before a PYENV reach its venv's install through the chain of env
    stages (each FROM the one before): a requirements file that names `${TABULATE_VERSION}`,
    which pip expands from the environment (uv expands variables only in URLs and paths), installs
    the version an ARG after the first PYENV gives, and a build arg overrides it there too."""
    _require_images(docker)
    docker.require_image(generate.DEFAULT_UV_IMAGE)
    text = (
        "FROM quay.io/astronomer/astro-runtime:12.1.0-base\n"
        "ENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
        "PYENV 3.11 first\n"
        "ARG TABULATE_VERSION=0.9.0\n"
        "PYENV --installer=pip 3.11 second r.txt\n"
        "ENV UNUSED=1\n"
        "PYENV --installer=pip 3.12 third r.txt\n"
    )
    files = {"r.txt": "tabulate==${TABULATE_VERSION}\n"}
    result = pyenvc.compile(text, path="Dockerfile.pyenv")
    assert result.output is not None, result.diagnostics
    assert result.output.count("ARG TABULATE_VERSION=0.9.0\n") == 2  # its env stage, the user's stage
    for build_args, version in (({}, "0.9.0"), ({"TABULATE_VERSION": "0.8.10"}, "0.8.10")):
        tag = docker.build(result.output, files, build_args=build_args).tag
        found = docker.sh(tag, "$ASTRO_PYENV_second -m pip freeze; $ASTRO_PYENV_third -m pip freeze")
        assert found.split() == [f"tabulate=={version}"] * 2, found
