"""Every code in the registry is reported, and with the registry's severity: for each code, an
input that makes the compiler or check-dags report exactly that code. A code is left out only
for a reason written here. And a diagnostic cannot contradict the registry: its severity comes
from there, and one made by hand with another is refused."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Callable

import pytest

import pyenvc
from pyenvc.commands import check_dags
from pyenvc.dags import check as dagcheck
from pyenvc.diagnostics import CODES, Diagnostic
from pyenvc.syntax import lexer
from pyenvc.source import Source
from pyenvc.syntax.tree import Span

RUNTIME = "FROM quay.io/astronomer/astro-runtime:12.1.0\n"  # known: no PYENV102
DAG = "from airflow.sdk import task\n\n@task.venv({name!r})\ndef f():\n    pass\n"

Trigger = Callable[[Path, pytest.MonkeyPatch], list]


def compiled(text: str, **options) -> Trigger:
    return lambda tmp_path, monkeypatch: pyenvc.compile(text, **options).diagnostics


def in_context(text: str, files: dict[str, str], **options) -> Trigger:
    def trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
        for name, content in files.items():
            (tmp_path / name).write_text(content)
        return pyenvc.compile(text, context=str(tmp_path), **options).diagnostics

    return trigger


def dags(dockerfile: str, files: dict[str, str]) -> Trigger:
    def trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
        monkeypatch.chdir(tmp_path)
        for name, content in files.items():
            (tmp_path / name).write_text(content)
        return dagcheck.check_dags(dockerfile, "Dockerfile", sorted(files))

    return trigger


def bad_token_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """DF010 means the scanner's tokens broke the grammar, which a correct scanner never does:
    hand the grammar a stream with a BOM token after an instruction."""
    scan = lexer.scan

    def broken(text: str) -> list:
        tokens = scan(text)
        return [*tokens, lexer.NodeToken("BOM", tokens[0].node)]

    monkeypatch.setattr(lexer, "scan", broken)
    return pyenvc.compile("FROM x\n").diagnostics


def dag_folder(make: Callable[[Path], None]) -> Trigger:
    """check-dags of a folder `dags` that `make` fills with odd entries (and nothing else)."""

    def trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "dags").mkdir()
        make(tmp_path / "dags")
        return dagcheck.check_dags(RUNTIME, "Dockerfile", ["dags"])

    return trigger


TRIGGERS: dict[str, Trigger] = {
    "DF001": compiled("# only a comment\n"),
    "DF002": compiled("FROM x\nRUN <<EOF\nx\n"),
    "DF003": compiled("# escape=`\n# escape=\\\nFROM x\n"),
    "DF004": compiled("# escape=x\nFROM x\n"),
    "DF005": compiled("FROM x\nRUN echo " + "a" * 70000 + "\n"),
    "DF006": compiled("FROM x\nENV A\n"),
    "DF007": compiled("FROM x\nLABEL a=b c\n"),
    "DF008": compiled('FROM x\nCMD ["a", 1]\n'),
    "DF009": compiled("FROM x\nRUN <<${x:-a b}\nx\n"),
    "DF010": bad_token_stream,
    "DF011": compiled("\ufeffFROM x\n".encode("utf-16-le").decode("utf-8", "surrogateescape")),
    "DF012": compiled(RUNTIME + "PYEVN 3.11 a\n"),
    "DF101": compiled("# syntax=example.com/frontend:1\n" + RUNTIME + "PYEVN 3.11 a\n"),
    "DF102": compiled(RUNTIME + "ONBUILD RUNN true\n"),
    "PYENV001": compiled("PYENV 3.11 a\n" + RUNTIME),
    "PYENV002": compiled(RUNTIME + "ONBUILD PYENV 3.11 a\n"),
    "PYENV003": compiled(RUNTIME + 'PYENV ["3.11", "a"]\n'),
    "PYENV026": compiled(RUNTIME + "PYENV 3.11 a r.txt <<EOF\nx\nEOF\n"),
    "PYENV027": compiled(RUNTIME + "PYENV 3.11 a <<A <<B\nx\nA\ny\nB\n"),
    "PYENV028": compiled(RUNTIME + "PYENV 3.11 <<EOF a\nx\nEOF\n"),
    "PYENV029": compiled(RUNTIME + "PYENV 3.11 a <<\n"),
    "PYENV030": compiled(RUNTIME + "PYENV 3.11 a poetry.lock\n"),
    "PYENV031": compiled(RUNTIME + "PYENV --installer=pip 3.11 a pylock.toml\n"),
    "PYENV032": in_context(RUNTIME + "PYENV --installer=uv 3.11 a uv.lock\n",
                           {"packages.txt": "", "requirements.txt": "", "uv.lock": "version = 1\n"}),
    "PYENV033": in_context(RUNTIME + "PYENV --installer=uv 3.11 a uv.lock\n",
                           {"packages.txt": "", "requirements.txt": "", "pyproject.toml": "[project]\nname = 'a'\n",
                            "uv.lock": 'version = 1\n\n[manifest]\nmembers = [\n    "a",\n    "b",\n]\n'}),
    "PYENV034": compiled(RUNTIME + "PYENV 3.11 a <<EOF\n-r other.txt\nEOF\n"),
    "PYENV035": compiled(RUNTIME + "PYENV --installer=uv 3.11 a pylock.a.b.toml\n"),
    "PYENV108": compiled(RUNTIME + "PYENV --installer=uv 3.11 a r.txt\n"),
    "PYENV109": compiled(RUNTIME + "PYENV 3.11 a <<EOF\nsix --hash=sha256:00\nattrs\nEOF\n"),
    "PYENV110": compiled(RUNTIME + "PYENV 3.11 a <<EOF\n/opt/wheels/x-1-py3-none-any.whl\nEOF\n"),
    "PYENV111": compiled(RUNTIME + "PYENV 3.11 a <<EOF\n--extra-index-url https://me:pw@example.org/simple\nsix\nEOF\n"),
    # the escape character in a COPY source would be read by BuildKit, not kept
    "PYENV022": compiled("# escape=`\n" + RUNTIME + "PYENV 3.11 a r`x.txt\n"),
    "PYENV005": compiled(RUNTIME + "PYENV 3.11 ${NAME}\n"),
    "PYENV006": compiled(RUNTIME + "PYENV 3.11\n"),
    "PYENV007": compiled(RUNTIME + "PYENV 3.11 a r.txt extra\n"),
    "PYENV008": compiled(RUNTIME + "PYENV --pip=1 3.11 a\n"),
    "PYENV009": compiled(RUNTIME + "PYENV --installer=conda 3.11 a\n"),
    "PYENV023": compiled(RUNTIME + "PYENV 3.14rc1 a\n"),
    "PYENV024": compiled(RUNTIME + "PYENV 3.111 a\n"),
    "PYENV025": compiled(RUNTIME + "PYENV 3.11 a r.txt/\n"),
    "PYENV106": compiled(RUNTIME + "PYENV 3.16 a\n"),
    "PYENV107": compiled(RUNTIME + "PYENV 3.12 auth\n"),
    "PYENV011": compiled(RUNTIME + "PYENV 2.7 a\n"),
    "PYENV012": compiled(RUNTIME + "PYENV 3.6 a\n"),  # no python:3.6-slim-bookworm
    "PYENV013": compiled(RUNTIME + "PYENV 3.11 a;b\n"),
    "PYENV014": compiled(RUNTIME + "PYENV 3.11 a\nPYENV 3.12 a\n"),
    "PYENV015": compiled(RUNTIME + "PYENV 3.11 a /r.txt\n"),
    "PYENV016": compiled(RUNTIME + "PYENV 3.11 a ../r.txt\n"),
    "PYENV017": compiled(RUNTIME + "PYENV 3.11 a req*.txt\n"),
    "PYENV018": in_context(RUNTIME + "PYENV 3.11 a r.txt\n", {"packages.txt": "", "requirements.txt": ""}),
    "PYENV019": in_context(RUNTIME + "PYENV 3.11 a\n", {"packages.txt": "", "requirements.txt": "apache-airflow==2.10.5\n"}),
    "PYENV020": compiled(RUNTIME + "PYENV 3.11 a\nPYENV 3.11.4 b\n"),
    "PYENV101": compiled("FROM apache/airflow:2.10.5\nPYENV 3.8 a\n"),
    "PYENV102": compiled("FROM debian\nPYENV 3.11 a\n"),
    "PYENV103": compiled("ARG v=12.1.0\nFROM quay.io/astronomer/astro-runtime:${v}\nPYENV 3.11 a\n"),
    "PYENV104": in_context(RUNTIME + "PYENV 3.11 a\n", {}),
    "PYENV105": compiled("FROM debian\nRUN true\nPYENV 3.11 a\n", layout="stages", user="u", uid=1, home="/h"),
    "DAG001": dags(RUNTIME + "PYENV 3.11 a\n", {"a.py": DAG.format(name="a"), "b.py": DAG.format(name="b")}),
    "DAG002": dags(RUNTIME + "PYENV 3.11 a\nPYENV 3.11 b\n", {"a.py": DAG.format(name="a")}),
    "DAG003": dags(RUNTIME, {"broken.py": "def f(:\n"}),
    "DAG004": dag_folder(lambda dags: (dags / "gone.py").symlink_to("nowhere.py")),
    "DAG005": dag_folder(lambda dags: (dags / "again").symlink_to(".")),
    "DAG006": dags(RUNTIME + "PYENV 3.11 a\n", {"a.py": "import json\n" + DAG.format(name="a").replace("pass", "json")}),
    "DAG007": dags(RUNTIME + "PYENV 3.11 a\n", {"a.py": "X = 1\n" + DAG.format(name="a").replace("pass", "X")}),
    "DAG008": dags(RUNTIME.replace("12.1.0", "12.1.0-python-3.9") + "PYENV 3.11 a\n",
                   {"a.py": DAG.format(name="a") + "match 1:\n    case 1:\n        pass\n"}),
    "DAG009": dags(RUNTIME + "PYENV 3.8 a\n", {"a.py": DAG.format(name="a").replace("pass", "match 1:\n        case 1:\n            pass")}),
}

EXCLUDED = {
    "PYENV010": "retired: its rule changed (ASCII digits, no leading zeros, full pre-releases); PYENV023 and PYENV024 took its place",
    "PYENV021": "retired: the installer is not available yet; no longer reported, since pip and uv both are",
    "PYENV004": "retired: PYENV took no heredoc; now a heredoc after the venv name holds the requirements (PYENV026-029)",
}


def test_every_code_has_a_trigger_or_a_written_reason() -> None:
    assert set(TRIGGERS) | set(EXCLUDED) == set(CODES)
    assert not set(TRIGGERS) & set(EXCLUDED)
    assert all(CODES[code].retired for code in EXCLUDED)  # only a retired code goes untested
    assert not any(CODES[code].retired for code in TRIGGERS)


@pytest.mark.parametrize("code", list(TRIGGERS))
def test_the_code_is_reported_with_the_registrys_severity(code, tmp_path, monkeypatch) -> None:
    found = TRIGGERS[code](tmp_path, monkeypatch)
    assert found, code
    assert {d.code for d in found} == {code}, found
    assert all(d.severity == CODES[code].severity for d in found), found


def test_a_dag003_only_run_exits_0(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(RUNTIME)
    (tmp_path / "broken.py").write_text("def f(:\n")
    assert check_dags.run(["Dockerfile", "broken.py"]) == 0
    assert "broken.py:1:7: warning[DAG003]" in capsys.readouterr().out


def test_a_call_site_cannot_choose_the_severity() -> None:
    assert "severity" not in inspect.signature(Diagnostic.at).parameters
    source = Source("FROM x\n")
    assert Diagnostic.at(source, Span(0, 4), "PYENV102", "m").severity == "warning"
    assert Diagnostic.at(source, Span(0, 4), "PYENV001", "m").severity == "error"


def test_a_diagnostic_that_contradicts_the_registry_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="PYENV102 is reported as 'warning'"):
        Diagnostic("PYENV102", "error", "m", None, 1, 1)
    with pytest.raises(KeyError, match="unregistered"):
        Diagnostic("PYENV999", "error", "m", None, 1, 1)
    with pytest.raises(KeyError, match="unregistered"):
        Diagnostic.at(Source("FROM x\n"), Span(0, 0), "PYENV999", "m")
    with pytest.raises(ValueError, match="retired"):
        Diagnostic.at(Source("FROM x\n"), Span(0, 0), "PYENV021", "m")


def test_a_diagnostic_carries_its_file() -> None:
    (error,) = pyenvc.compile("FROM x\nRUN <<EOF\n", path="sub/Dockerfile.pyenv").diagnostics
    assert (error.code, error.path) == ("DF002", "sub/Dockerfile.pyenv")
    (warning,) = pyenvc.compile("FROM debian\nPYENV 3.11 a\n", path="other").diagnostics
    assert warning.path == "other" and warning.to_json()["file"] == "other"
    assert warning.to_json("shown")["file"] == "shown"
