"""Real builds of each way PYENV takes requirements: a heredoc written inline (its body lines
are requirements, never instructions; nothing in it is expanded), with either installer.

One image holds every venv, built once for the module (builds are few and small: tiny
pure-Python packages from the index the runtime image is configured with).

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

import pytest

import pyenvc

from harness import RUNTIME_BASE, Docker

pytestmark = pytest.mark.e2e

# Each body line outside a heredoc would be an instruction BuildKit rejects (`SIX==1.16.0` is
# no instruction) or one that changes the build (`FROM`); `$HOME` would be expanded by an
# unquoted COPY heredoc. `<<-` strips the tabs.
DOCKERFILE = f"""\
FROM {RUNTIME_BASE}
PYENV --installer=uv 3.12 inline_uv <<-EOF
\tsix==1.16.0
\t# FROM scratch; $HOME stays as written
\tEOF
PYENV --installer=pip 3.11 inline_pip <<'REQS'
six==1.16.0 ; python_version >= "3"
REQS
RUN echo done
"""


@pytest.fixture(scope="module")
def image(docker: Docker, runtime_base: str) -> str:
    for version in ("3.11", "3.12"):
        docker.require_image(f"python:{version}-slim-bookworm")
    result = pyenvc.compile(DOCKERFILE, layout="stages")
    assert result.output is not None, result.diagnostics
    return docker.build(result.output).tag


def _freeze(docker: Docker, tag: str, venv: str) -> list[str]:
    script = f'$ASTRO_PYENV_{venv} -m pip freeze --all --exclude pip --exclude setuptools --exclude wheel'
    return docker.sh(tag, script).split()


def test_a_heredoc_installs_its_body_as_written(docker: Docker, image: str) -> None:
    assert _freeze(docker, image, "inline_uv") == ["six==1.16.0"]
    assert _freeze(docker, image, "inline_pip") == ["six==1.16.0"]
    written = docker.sh(image, "cat /home/astro/.venv/inline_uv/requirements.txt")
    assert written == "six==1.16.0\n# FROM scratch; $HOME stays as written\n"  # tabs stripped, nothing expanded
