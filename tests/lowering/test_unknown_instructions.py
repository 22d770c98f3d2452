"""An instruction BuildKit does not know is DF012 with a did-you-mean hint (Docker's build would
reject it); a warning, DF101, where a `# syntax=` directive names a frontend other than
Docker's own, which may add instructions; a warning, DF102, for an unknown ONBUILD trigger."""

from __future__ import annotations

import pytest

import pyenvc
from support import run_cli
from pyenvc.lowering import frontends

OPTIONS = dict(user="u", uid=1, home="/h")


def diagnostics(text: str) -> list:
    return pyenvc.compile(text, **OPTIONS).diagnostics


@pytest.mark.parametrize(
    ("line", "keyword", "suggestion"),
    [
        ("PYEVN 3.11 etl", "PYEVN", "PYENV"),
        ("PYNEV 3.11 etl", "PYNEV", "PYENV"),
        ("RUNN echo", "RUNN", "RUN"),
        ("runn echo", "runn", "run"),  # in the user's case
        ("FORM x", "FORM", "FROM"),
        ("COPPY a b", "COPPY", "COPY"),
        ("ENTRYPIONT [\"a\"]", "ENTRYPIONT", "ENTRYPOINT"),
        ("WORKDRI /a", "WORKDRI", "WORKDIR"),
        ("HEALTHCHEK NONE", "HEALTHCHEK", "HEALTHCHECK"),
        ("Expos 80", "Expos", "EXPOSE"),
    ],
)
def test_a_typo_is_an_error_with_the_nearest_keyword(line: str, keyword: str, suggestion: str) -> None:
    result = pyenvc.compile(f"FROM x\n{line}\n", **OPTIONS)
    assert result.output is None
    (d,) = result.diagnostics
    assert (d.code, d.severity, d.line, d.column) == ("DF012", "error", 2, 1)
    assert d.message == f"unknown instruction '{keyword}'"
    assert d.hint.startswith(f"replace `{keyword}` with `{suggestion}`")


def test_every_unknown_instruction_is_reported_where_it_is() -> None:
    text = "ARG v=1\nFOO\nFROM x\n  XYZZYQ a b\nRUN \\\n  ok\nR\\\nUNN x\nONBUILD RUNN x\n"
    found = [(d.code, d.line, d.column) for d in diagnostics(text)]
    # a keyword split by a continuation is read as BuildKit joins it; an ONBUILD trigger is
    # stored unread (this build passes, every build FROM the image fails): a warning
    assert found == [("DF012", 2, 1), ("DF012", 4, 3), ("DF012", 7, 1), ("DF102", 9, 9)]
    hint = diagnostics("FROM x\nXYZZYQ\n")[0].hint
    assert hint.startswith("use a known instruction (ADD, ARG, CMD, COPY") and "PYENV" in hint


def test_an_unknown_onbuild_trigger_is_a_warning_at_its_keyword() -> None:
    text = "FROM x\nONBUILD --x=1 COPYY a b\nONBUILD onbuild FOO\nONBUILD run ok\n"
    result = pyenvc.compile(text, **OPTIONS)
    assert [(d.code, d.severity, d.line, d.column) for d in result.diagnostics] == [("DF102", "warning", 2, 15)]
    assert result.diagnostics[0].hint == "replace `COPYY` with `COPY`"
    assert result.output == text  # a warning: the file compiles as it is


def test_known_instructions_in_any_case_are_not_reported() -> None:
    keywords = ["add a b", "arg a", "cmd a", "copy a b", "entrypoint a", "env a=b", "expose 1", "healthcheck NONE",
                "label a=b", "maintainer m", "onbuild RUN a", "run a", "shell [\"a\"]", "stopsignal 9", "user u",
                "volume /v", "workdir /w"]
    for keyword in keywords:
        for text in (keyword, keyword.upper(), keyword.title()):
            assert diagnostics(f"FROM x\n{text}\n") == [], text


@pytest.mark.parametrize(
    "syntax",
    [
        "docker/dockerfile:1",
        "docker/dockerfile:1.7-labs",
        "docker.io/docker/dockerfile:1",
        "docker.io/docker/dockerfile-upstream:master",
        "docker/dockerfile@sha256:" + "a" * 64,
        "docker/dockerfile:1@sha256:" + "b" * 64,
        " docker/dockerfile ",
        "quay.io/astronomer/airflow-extensions:v1",  # the old PYENV frontend: the output drops it
    ],
)
def test_dockers_own_frontend_keeps_the_error(syntax: str) -> None:
    assert [d.code for d in diagnostics(f"# syntax={syntax}\nFROM x\nPYEVN 3.11 a\n")] == ["DF012"]


@pytest.mark.parametrize(
    "syntax",
    ["tonistiigi/dockerfile:runmount", "example.com/docker/dockerfile:1", "docker/dockerfile-fork:1",
     "ghcr.io/me/frontend@sha256:" + "c" * 64, "not a reference"],
)
def test_another_frontend_makes_it_a_warning(syntax: str) -> None:
    result = pyenvc.compile(f"# syntax={syntax}\nFROM x\nMYINSTR a\nRUN ok\n", **OPTIONS)
    (d,) = result.diagnostics
    assert (d.code, d.severity, d.line, d.column) == ("DF101", "warning", 3, 1)
    assert syntax.strip() in d.message
    assert result.output == f"# syntax={syntax}\nFROM x\nMYINSTR a\nRUN ok\n"


def test_frontend_names() -> None:
    assert frontends.is_dockers_own("docker/dockerfile:1.4")
    assert not frontends.is_dockers_own("docker/dockerfilex:1")
    assert frontends.adds_instructions("tonistiigi/dockerfile:1")
    assert not frontends.adds_instructions("astronomer/astro-runtime:12.1.0")


def test_command_line_exits_1_with_the_hint(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM quay.io/astronomer/astro-runtime:12.1.0\nPYEVN 3.11 etl\n")
    code, out, err = run_cli(["Dockerfile", "-o", "out", "--no-astro"])
    assert (code, out) == (1, b"")
    assert not (tmp_path / "out").exists()
    assert err.startswith("Dockerfile:2:1: error[DF012]: unknown instruction 'PYEVN'")
    assert "help: replace `PYEVN` with `PYENV`" in err
