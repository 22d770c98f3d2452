"""Real builds of each way PYENV takes requirements: a heredoc written inline (its body lines
are requirements, never instructions; nothing in it is expanded), a requirements file where
every line is hashed (hash-checking mode, with uv and with pip), a PEP 751 `pylock.<name>.toml`
and a `uv.lock` with its pyproject.toml. Each lock pins a transitive dependency
(python-dateutil -> tzdata) and the uv project has a dev group no venv may install: `pip freeze`
in each venv equals the lock. A wrong hash fails the build, with either installer.

One image holds every venv, built once for the module (builds are few and small: tiny
pure-Python packages from the index the runtime image is configured with); the two failing
builds reuse its cached interpreter and venv steps. The locks are in tests/e2e/locks/.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

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
PYENV --installer=uv 3.12 hashed_uv locks/hashed.txt
PYENV --installer=pip 3.12 hashed_pip locks/hashed.txt
PYENV --installer=uv 3.12 pylock locks/pylock.dates.toml
PYENV --installer=uv 3.12 uvlock locks/project/uv.lock
RUN echo done
"""
LOCKS = Path(__file__).parent / "locks"
FROZEN = ["pip", "freeze", "--all", "--exclude", "pip", "--exclude", "setuptools", "--exclude", "wheel"]


def _context(root: Path, hashed: str | None = None) -> Path:
    shutil.copytree(LOCKS, root / "locks")
    if hashed is not None:
        (root / "locks" / "hashed.txt").write_text(hashed)
    return root


def _compile(context: Path, text: str = DOCKERFILE) -> str:
    result = pyenvc.compile(text, layout="stages", context=str(context))
    assert result.output is not None, result.diagnostics
    assert [d.code for d in result.diagnostics] == [], result.diagnostics
    return result.output


@pytest.fixture(scope="module")
def image(docker: Docker, runtime_base: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    for version in ("3.11", "3.12"):
        docker.require_image(f"python:{version}-slim-bookworm")
    context = _context(tmp_path_factory.mktemp("kinds"))
    return docker.build(_compile(context), context=context).tag


def _freeze(docker: Docker, tag: str, venv: str) -> list[str]:
    return docker.sh(tag, f"$ASTRO_PYENV_{venv} -m " + " ".join(FROZEN)).split()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(pins: list[tuple[str, str]]) -> list[str]:
    return sorted(f"{_normal(name)}=={version}" for name, version in pins)


def _frozen(lines: list[str]) -> list[str]:
    return _pins([tuple(line.split("==", 1)) for line in lines])  # type: ignore[misc]


def _uv_lock_pins() -> list[str]:
    """The packages uv.lock pins for its project's own dependencies, transitively: not the
    project itself, not its dev group."""
    packages = {p["name"]: p for p in tomllib.loads((LOCKS / "project" / "uv.lock").read_text())["package"]}
    project = next(p for p in packages.values() if "virtual" in p["source"] or "editable" in p["source"])
    wanted, todo = {}, [d["name"] for d in project.get("dependencies", [])]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted[name] = packages[name]["version"]
            todo += [d["name"] for d in packages[name].get("dependencies", [])]
    return _pins(list(wanted.items()))


def test_a_heredoc_installs_its_body_as_written(docker: Docker, image: str) -> None:
    assert _freeze(docker, image, "inline_uv") == ["six==1.16.0"]
    assert _freeze(docker, image, "inline_pip") == ["six==1.16.0"]
    written = docker.sh(image, "cat /home/astro/.venv/inline_uv/requirements.txt")
    assert written == "six==1.16.0\n# FROM scratch; $HOME stays as written\n"  # tabs stripped, nothing expanded


def test_each_lock_installs_exactly_its_pins(docker: Docker, image: str) -> None:
    hashed = [line.split(" ")[0] for line in (LOCKS / "hashed.txt").read_text().splitlines() if "==" in line]
    pylock = tomllib.loads((LOCKS / "pylock.dates.toml").read_text())["packages"]
    expected = {
        "hashed_uv": _frozen(hashed),
        "hashed_pip": _frozen(hashed),
        "pylock": _pins([(p["name"], p["version"]) for p in pylock]),
        "uvlock": _uv_lock_pins(),
    }
    assert all(len(pins) >= 2 for pins in expected.values())  # a transitive pin in each
    assert "tabulate" not in str(expected["uvlock"])  # the dev group
    for venv, pins in expected.items():
        assert _frozen(_freeze(docker, image, venv)) == pins, venv


@pytest.mark.parametrize(("installer", "message"), [("uv", "Hash mismatch"), ("pip", "DO NOT MATCH THE HASHES")])
def test_a_wrong_hash_fails_the_build(docker: Docker, image: str, tmp_path: Path, installer: str, message: str) -> None:
    good = (LOCKS / "hashed.txt").read_text()
    wrong = re.sub(r"sha256:([0-9a-f])", lambda m: "sha256:" + ("1" if m.group(1) == "0" else "0"), good)
    assert wrong != good
    context = _context(tmp_path, hashed=wrong)
    text = f"FROM {RUNTIME_BASE}\nPYENV --installer={installer} 3.12 hashed locks/hashed.txt\n"
    log = docker.build_fails(_compile(context, text), context=context)
    assert message in log, log[-3000:]
