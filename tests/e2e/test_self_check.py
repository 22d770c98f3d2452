"""Real builds that fail the image's own checks (guarantee 10), each named by its PYENV line.

- The interpreter check: the old tool's issue #17 was a Debian-release mismatch (a python image
  built for another release than the base's) found only when a task ran. Every python image here
  is a bookworm stand-in, so the mismatch is faked the way it shows: a base that lacks a shared
  library the copied interpreter's extension modules need (bullseye has libffi7, bookworm's
  `_ctypes` needs libffi.so.8). The base is `debian:bookworm-slim` with libffi.so.8 removed, one
  cheap image; `pyenvc build` must fail at the check and name the PYENV line.
- The packages check: a resolver refuses truly conflicting requirements before any check runs,
  so the set that installs but is inconsistent comes from an index whose metadata lies, as a
  broken mirror's does: the index serves PEP 658 metadata without dependencies, the wheel's own
  METADATA requires a package that does not exist. uv and pip both resolve from the served
  metadata and install the wheel; `uv pip check` and `pip check` read the installed METADATA and
  fail. The index is served from this process on the loopback address.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyenvc

from harness import PYTHON_SLIM, RUNTIME_BASE, Docker, serve_folder
from test_pyenvc_build import _pyenvc_build

pytestmark = pytest.mark.e2e

NO_LIBFFI = "pyenvc-e2e/no-libffi:bookworm"
# The runtime stand-in carries this machine's CA bundle (its proxy's CA): the base gets it too,
# so uv can seed the venv from PyPI with the system's certificate store.
NO_LIBFFI_DOCKERFILE = f"""\
FROM debian:bookworm-slim
COPY --from={RUNTIME_BASE} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN rm -f /usr/lib/*/libffi.so.8* && ldconfig && ! ldconfig -p | grep -q 'libffi.so.8'
"""


def test_a_base_missing_a_library_of_the_interpreter_fails_the_build_at_its_pyenv(docker: Docker, tmp_path: Path) -> None:
    for image in ("debian:bookworm-slim", RUNTIME_BASE, PYTHON_SLIM["3.11"], docker.uv_image):
        docker.require_image(image)
    docker.build(NO_LIBFFI_DOCKERFILE, tag=NO_LIBFFI)
    docker.built.append(NO_LIBFFI)
    project = tmp_path / "project"
    project.mkdir()
    source = f"FROM {NO_LIBFFI}\nPYENV 3.11 tools\n"
    (project / "Dockerfile.pyenv").write_text(source)
    proc = _pyenvc_build(docker, ["--network=host", "--progress=plain", "--pyenvc-uid", "50000", str(project)], tmp_path)
    assert proc.returncode == 1, proc.stderr[-6000:]
    assert "libffi.so.8: cannot open shared object file" in proc.stderr
    assert "pyenvc: Python 3.11 cannot load its extension modules on this base image" in proc.stderr
    output = pyenvc.compile(source, uid=50000).output
    check = [n for n, line in enumerate(output.split("\n"), 1) if "import ssl, sqlite3, ctypes, zlib, bz2, lzma" in line]
    assert len(check) == 1
    assert proc.stderr.endswith(
        f"{project}/Dockerfile.pyenv:2: note: Docker's Dockerfile:{check[0]} was generated from this line\n"
        "  |\n2 | PYENV 3.11 tools\n  |\n"
    ), proc.stderr[-2000:]


def _wheel(name: str, version: str, requires: list[str]) -> bytes:
    """A pure-Python wheel whose METADATA requires `requires`."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": b"",
        f"{info}/METADATA": _metadata(name, version, requires),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: pyenvc-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    buffer = io.BytesIO()
    record = []
    with zipfile.ZipFile(buffer, "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        wheel.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return buffer.getvalue()


def _metadata(name: str, version: str, requires: list[str]) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def lying_index(tmp_path_factory) -> Iterator[str]:
    """A simple index (PEP 503, with PEP 658 metadata) of one project whose served metadata
    lists no dependency while its wheel requires `pyenvc-absent-dependency`; its URL."""
    root = tmp_path_factory.mktemp("index")
    project = root / "simple" / "pyenvc-inconsistent"
    project.mkdir(parents=True)
    wheel_name = "pyenvc_inconsistent-1.0-py3-none-any.whl"
    wheel = _wheel("pyenvc-inconsistent", "1.0", ["pyenvc-absent-dependency>=1"])
    served = _metadata("pyenvc-inconsistent", "1.0", [])
    (project / wheel_name).write_bytes(wheel)
    (project / f"{wheel_name}.metadata").write_bytes(served)
    meta = hashlib.sha256(served).hexdigest()
    (project / "index.html").write_text(
        f'<a href="{wheel_name}#sha256={hashlib.sha256(wheel).hexdigest()}" '
        f'data-dist-info-metadata="sha256={meta}" data-core-metadata="sha256={meta}">{wheel_name}</a>\n'
    )
    with serve_folder(root) as url:
        yield f"{url}/simple/"


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_an_inconsistent_set_that_installs_fails_the_packages_check(
    docker: Docker, runtime_base: str, lying_index: str, installer: str
) -> None:
    docker.require_image(PYTHON_SLIM["3.11"])
    source = f"FROM {runtime_base}\nPYENV --installer={installer} 3.11 tools tools.txt\n"
    files = {"tools.txt": f"--index-url {lying_index}\npyenvc-inconsistent\n"}
    result = pyenvc.compile(source, layout="inline")
    assert result.output is not None, result.diagnostics
    log = docker.build_fails(result.output, files)
    # the install went through: the checker names the installed package and what it lacks
    finding = {
        "uv": "The package `pyenvc-inconsistent` requires `pyenvc-absent-dependency>=1`, but it's not installed",
        "pip": "pyenvc-inconsistent 1.0 requires pyenvc-absent-dependency, which is not installed.",
    }
    assert finding[installer] in log
    assert "pyenvc: the packages in /home/astro/.venv/tools are inconsistent" in log
    failed = log.split("ERROR: process ", 1)[1].split("\n", 1)[0]
    assert "import ssl, sqlite3, ctypes, zlib, bz2, lzma" in failed and "pip check" in failed
