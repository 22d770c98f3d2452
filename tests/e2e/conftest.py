"""Fixtures for the end-to-end tests; what they hand out is in harness.py."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import DEFAULT_UV_IMAGE, E2E_DIR, RUNTIME_BASE, Docker, _setup_env, serve_folder
from support import missing_prerequisite


@pytest.fixture(scope="session")
def docker() -> Iterator[Docker]:
    """The e2e daemon (scripts/e2e-setup), or a skip (a failure under CI=true) naming why not."""
    env = dict(os.environ)
    exported = _setup_env()
    if "DOCKER_HOST" not in env:
        env["DOCKER_HOST"] = exported.get("DOCKER_HOST", f"unix://{E2E_DIR / 'docker.sock'}")
    env["DOCKER_BUILDKIT"] = "1"
    client = env.get("PYENVC_DOCKER") or shutil.which("docker")
    if not client:
        missing_prerequisite("no docker client on PATH (run scripts/e2e-setup)")
    try:
        probe = subprocess.run(
            [client, "version", "--format", "{{.Server.Version}}"],
            env=env, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        missing_prerequisite(f"docker at {env['DOCKER_HOST']} did not answer: {err}")
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["no answer"])[-1]
        missing_prerequisite(f"no Docker daemon at {env['DOCKER_HOST']} ({reason}); run scripts/e2e-setup")
    major = probe.stdout.strip().split(".")[0]
    if not major.isdigit() or int(major) < 23:
        missing_prerequisite(f"the daemon is Docker {probe.stdout.strip()}; BuildKit features need 23+")
    buildx = subprocess.run([client, "buildx", "version"], env=env, capture_output=True, text=True, timeout=30)
    if buildx.returncode != 0:
        missing_prerequisite("the docker client has no buildx plugin (run scripts/e2e-setup)")
    helper = Docker(
        env=env,
        client=client,
        uv_image=env.get("PYENVC_E2E_UV_IMAGE") or exported.get("PYENVC_E2E_UV_IMAGE") or DEFAULT_UV_IMAGE,
        workdir=Path(tempfile.mkdtemp(prefix="pyenvc-e2e-")),
    )
    yield helper
    helper.cleanup()


@pytest.fixture(scope="session")
def runtime_base(docker: Docker) -> str:
    """The Astro-Runtime-shaped -base image's tag, once it is known to exist."""
    docker.require_image(RUNTIME_BASE)
    return RUNTIME_BASE


PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pyenvc_wheel(docker: Docker) -> Path:
    """A wheel of this checkout (pyenvc + pyenvc_airflow) to put into a build context, e.g. to
    install the provider in an image. Built from a copy of the sources, so that setuptools'
    build/ directory never lands in the shared working tree."""
    src = docker.workdir / "wheel-src"
    out = docker.workdir / "wheel"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "compiler", "provider"):
        path = PROJECT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.exists():
            shutil.copy2(path, src / name)
    uv = shutil.which("uv") or str(PROJECT / ".venv" / "bin" / "uv")
    if Path(uv).exists():
        cmd = [uv, "build", "--wheel", "--out-dir", str(out), str(src)]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"building the pyenvc wheel failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    wheels = sorted(out.glob("pyenvc-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="session")
def example_copy(pyenvc_wheel: Path):
    """`example_copy(dest)`: a copy of examples/astro-project at `dest` with the provider wheel in
    its wheels/ folder, as the README's Quick start leaves it (Dockerfile.pyenv installs it)."""

    def copy(dest: Path) -> Path:
        shutil.copytree(PROJECT / "examples" / "astro-project", dest, ignore=shutil.ignore_patterns("wheels"))
        (dest / "wheels").mkdir()
        shutil.copy2(pyenvc_wheel, dest / "wheels" / pyenvc_wheel.name)
        return dest

    return copy


@pytest.fixture(scope="session")
def wheel_url(pyenvc_wheel: Path) -> Iterator[str]:
    """The provider's wheel, served over HTTP on the loopback address: a build with
    --network=host reaches it, as it would reach the user's package index. The URL carries the
    wheel's checksum, so pip checks it and a changed wheel never reuses a cached layer."""
    digest = hashlib.sha256(pyenvc_wheel.read_bytes()).hexdigest()
    with serve_folder(pyenvc_wheel.parent) as url:
        yield f"{url}/{pyenvc_wheel.name}#sha256={digest}"


@pytest.fixture(scope="session", autouse=True)
def generated_results() -> Iterator[list]:
    """Every `pyenvc.compile` result of the e2e tests (their fixtures included), in order:
    test_docker_checks.py, which runs last, puts each generated file through Docker's own checks.
    The tests of other folders run in the same session; what they compile is not kept."""
    import pyenvc

    results: list = []
    original = pyenvc.compile

    @functools.wraps(original)  # the same docstring and signature as the real one
    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        if result.output is not None and os.environ.get("PYTEST_CURRENT_TEST", "").startswith("tests/e2e/"):
            results.append(result)
        return result

    pyenvc.compile = recording
    try:
        yield results
    finally:
        pyenvc.compile = original


def pytest_collection_modifyitems(config, items) -> None:
    """Docker's checks last: they read what every other e2e test generated."""
    items.sort(key=lambda item: item.path.name == "test_docker_checks.py")
