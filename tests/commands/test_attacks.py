"""The attacks found when the project was tried from outside, through the real command line:
nothing a user gives reaches a shell or a flag unvalidated. Each class has more members than
the one example that was reported."""

from __future__ import annotations

import pytest

from support import run_cli

DOCKERFILE = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.12 etl r.txt\n"
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    for name in ("r.txt", "packages.txt", "requirements.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "flag, value",
    [
        ("--home", "/h`touch /pwned`"),  # shell syntax that /bin/sh -c would run
        ("--home", "/h$(id)"),
        ("--home", "/h;rm -rf /"),
        ("--home", "/h,from=evil,source=/"),  # extra options of the cache mount
        ("--home", "/h\u00a0x"),  # a byte BuildKit reads as white space
        ("--home", "/h\u0085x"),
        ("--home", "/a/../etc"),
        ("--user", "astro;id"),
        ("--python-flavour", "slim,from=x"),
        ("--uv-image", "ghcr.io/astral-sh/uv@sha256:abc"),  # a digest that is no digest
        ("--uv-image", "ghcr.io/astral-sh/uv:0.1 --from=x"),
        ("--runtime-image", "quay.io/x/y@md5:" + "ab" * 16),
    ],
)
def test_option_values_that_would_not_survive_exit_2(project, flag, value) -> None:
    code, out, err = run_cli(["Dockerfile", "-o", "out", f"{flag}={value}"])
    assert code == 2 and out == b"" and err.count("\n") == 1, err
    assert not (project / "out").exists()


@pytest.mark.parametrize(
    "pyenv, code",
    [
        ("PYENV --python-image=python@sha256:abc 3.12 etl", "PYENV009"),  # the digest is checked
        ("PYENV --python-image=python:3.12,from=x 3.12 etl", "PYENV009"),
        ("PYENV 3.12 etl r.txt\u2003x", "PYENV007"),  # Go's white space splits the word
        ("PYENV 3.12 etl r\udc85.txt", "PYENV022"),  # a byte that BuildKit's flag walk takes for a space
        ("PYENV 3.12 etl 'r.txt'", "PYENV017"),
        ("PYENV 3.12 e`x r.txt", "PYENV013"),
    ],
)
def test_pyenv_words_that_would_not_survive_are_errors(project, pyenv, code) -> None:
    (project / "Dockerfile").write_bytes((DOCKERFILE.splitlines()[0] + "\n" + pyenv + "\n").encode("utf-8", "surrogateescape"))
    status, out, err = run_cli(["Dockerfile", "-o", "out"])
    assert status == 1 and f"error[{code}]" in err, err
    assert not (project / "out").exists()


def test_a_valid_digest_is_taken(project) -> None:
    (project / "Dockerfile").write_text(DOCKERFILE.replace("PYENV 3.12", f"PYENV --python-image=python@{DIGEST} 3.12"))
    code, out, err = run_cli(["Dockerfile", f"--uv-image=ghcr.io/astral-sh/uv@{DIGEST}", "--installer=uv"])
    assert code == 0, err
    assert f"--from=python@{DIGEST} ".encode() in out and f"from=ghcr.io/astral-sh/uv@{DIGEST},".encode() in out
