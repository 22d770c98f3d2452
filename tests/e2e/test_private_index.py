"""A private package index through build secrets, for real: pypiserver on 127.0.0.1 with basic
auth serves a package no other index has (a wheel made here); a uv venv and a pip venv install
it, the index named by the `uv-toml` and `pip-conf` secrets and the credentials by `netrc`.
`docker save` of the image holds the credential in no layer and nowhere in its config. Without
the netrc secret the build fails with the installer's own message.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup) and pypiserver (the test
extra); skipped without them, failed under CI=true.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

import pyenvc

from harness import RUNTIME_BASE, Docker
from support import missing_prerequisite

pytestmark = pytest.mark.e2e

USER, PASSWORD = "pyenvc-e2e", "s3cret-Zq81x-only-in-a-secret"
PACKAGE, VERSION = "pyenvc-private-probe", "0.1.0"
DOCKERFILE = f"""\
FROM {RUNTIME_BASE}
PYENV --installer=uv 3.12 private_uv <<EOF
{PACKAGE}=={VERSION}
EOF
PYENV --installer=pip 3.12 private_pip <<EOF
{PACKAGE}=={VERSION}
EOF
"""


def _wheel(folder: Path) -> Path:
    """A pure-Python wheel of PACKAGE, made by hand (no build backend, no index)."""
    module = PACKAGE.replace("-", "_")
    dist = f"{module}-{VERSION}.dist-info"
    files = {
        f"{module}/__init__.py": "WHERE = 'the private index'\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {VERSION}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: pyenvc-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    path = folder / f"{module}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in {**files, f"{dist}/RECORD": "\n".join(record) + "\n"}.items():
            wheel.writestr(name, text)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pypiserver on 127.0.0.1 with basic auth for every action, no fallback to PyPI."""
    try:
        from passlib.apache import HtpasswdFile
        import pypiserver  # noqa: F401
    except ImportError:
        missing_prerequisite("pypiserver[passlib] is not installed (the test extra)")
    root = tmp_path_factory.mktemp("index")
    (root / "packages").mkdir()
    _wheel(root / "packages")
    passwords = HtpasswdFile(str(root / "htpasswd"), new=True, default_scheme="sha256_crypt")
    passwords.set_password(USER, PASSWORD)
    passwords.save()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port), "-P", str(root / "htpasswd"),
         "-a", "download,list,update", "--disable-fallback", str(root / "packages")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/simple/"
    finally:
        server.terminate()
        server.wait(timeout=20)


def _secrets(folder: Path, url: str, netrc: bool = True) -> list[str]:
    files = {
        "uv-toml": f'[[index]]\nurl = "{url}"\n',
        "pip-conf": f"[global]\nextra-index-url = {url}\n",
    }
    if netrc:
        files["netrc"] = f"machine 127.0.0.1 login {USER} password {PASSWORD}\n"
    args = []
    for name, text in files.items():
        (folder / name).write_text(text)
        args += ["--secret", f"id={name},src={folder / name}"]
    return args


def _compiled(text: str = DOCKERFILE) -> str:
    result = pyenvc.compile(text, layout="stages")
    assert result.output is not None, result.diagnostics
    return result.output


def test_a_private_index_through_secrets_leaves_no_credential(docker: Docker, runtime_base: str, index: str, tmp_path: Path) -> None:
    docker.require_image("python:3.12-slim-bookworm")
    built = docker.build(_compiled(), {}, extra=_secrets(tmp_path, index))
    for venv in ("private_uv", "private_pip"):
        out = docker.sh(built.tag, f'$ASTRO_PYENV_{venv} -c "import pyenvc_private_probe as p; print(p.WHERE)"')
        assert out.strip() == "the private index"
    saved = tmp_path / "image.tar"
    docker.cli("save", "-o", str(saved), built.tag)
    secret = PASSWORD.encode()
    with tarfile.open(saved) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        assert members
        for member in members:
            data = archive.extractfile(member).read()  # type: ignore[union-attr]
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            assert secret not in data, member.name
    # nor was a secret's mount point left behind in the venvs or the home
    listing = docker.sh(built.tag, "ls -A /home/astro /home/astro/.venv/private_uv /home/astro/.venv/private_pip")
    assert "pip.conf" not in listing and ".netrc" not in listing


def test_without_the_credentials_the_installer_says_why(docker: Docker, runtime_base: str, index: str, tmp_path: Path) -> None:
    docker.require_image("python:3.12-slim-bookworm")
    # a venv of its own: BuildKit's cache key holds no secret, so the first test's steps would be reused
    uv_only = DOCKERFILE[: DOCKERFILE.index("PYENV --installer=pip")].replace("private_uv", "anonymous")
    log = docker.build_fails(_compiled(uv_only), {}, extra=_secrets(tmp_path, index, netrc=False))
    assert "401" in log or "Unauthorized" in log or "credentials" in log, log[-3000:]
