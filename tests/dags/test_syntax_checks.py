"""DAG008 and DAG009 with the real interpreters: pyenv's CPython 3.6 to 3.13, each asked whether it
compiles a DAG file (Airflow's Python) or a venv task's function (the venv's Python)."""

from __future__ import annotations

import time

import pytest

from pyenvc.commands import check_dags
from pyenvc.dags import check as dagcheck
from pyenvc.dags import other_python
from pyenvc.dags.syntax_checks import airflow_python_from_image
from support import missing_prerequisite

VERSIONS = ["3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]

# Syntax -> the first X.Y that compiles it. Each is something a grammar or compiler of an older
# Python rejects; `ast.parse(feature_version=...)` on the running Python misses the 3.9 and 3.6 ones.
SYNTAX = {
    "from __future__ import annotations\n": "3.7",
    "print(x := 1)\n": "3.8",
    "def f(a, /):\n    pass\n": "3.8",
    "with (open('a') as f, open('b') as g):\n    pass\n": "3.9",  # 3.9's new parser already takes it
    "match 1:\n    case 1:\n        pass\n": "3.10",
    "try:\n    pass\nexcept* ValueError:\n    pass\n": "3.11",
    "type X = int\n": "3.12",
    "x = f'{'a'}'\n": "3.12",
}


def _python(version: str) -> str:
    found = other_python.find_python(version)
    if found is None:
        missing_prerequisite(f"no CPython {version} (pyenv's builds: scripts/setup reads $(pyenv root)/versions)")
    assert found is not None
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_each_python_answers_as_itself(version: str) -> None:
    _python(version)
    texts = list(SYNTAX)
    answers = other_python.syntax_problems(version, [other_python.text(t) for t in texts])
    minor = int(version.split(".")[1])
    for text, answer in zip(texts, answers):
        newer = int(SYNTAX[text].split(".")[1]) > minor
        assert (answer is not None) == newer, (version, text, answer)
        if answer is not None:
            assert answer.line is not None and answer.message


def test_one_process_per_version_whatever_the_number_of_files() -> None:
    _python("3.9")
    texts = [other_python.text("import os\n" * 200 + "def f():\n    return os.sep\n")] * 200
    start = time.perf_counter()
    assert other_python.syntax_problems("3.9", texts) == [None] * 200
    assert time.perf_counter() - start < 10  # about 0.2 s here: 200 files of 200 lines


def test_a_missing_python_is_unavailable_not_an_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    version = "3.13" if other_python.sys.version_info[:2] != (3, 13) else "3.12"
    assert other_python.find_python(version) is None
    with pytest.raises(other_python.Unavailable, match=f"no Python {version} found"):
        other_python.syntax_problems(version, [other_python.text("x = 1\n")])
    with pytest.raises(ValueError):
        other_python.find_python("3.9; rm -rf /")


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("apache/airflow:2.10.5-python3.9", "3.9"),
        ("docker.io/apache/airflow:slim-2.10.5-python3.11", "3.11"),
        ("quay.io/astronomer/astro-runtime:12.1.0-python-3.10", "3.10"),
        ("quay.io/astronomer/astro-runtime:12.1.0-python-3.10-base", "3.10"),
        ("localhost:5000/airflow:2.10.5-python3.12@sha256:" + "a" * 64, "3.12"),
        ("quay.io/astronomer/astro-runtime:12.1.0", None),
        ("localhost:5000/python3.9", None),
        (None, None),
    ],
)
def test_airflow_python_from_the_base_image_tag(image, version) -> None:
    assert airflow_python_from_image(image) == version


DAG = """\
from airflow.sdk import task


@task.venv("old")
def new_in_old(v):
    match v:
        case 1:
            return 1


@task.venv("new")
def fine(v):
    match v:
        case 1:
            return 1
"""


def test_dag_file_against_airflows_python_and_functions_against_the_venvs(tmp_path, monkeypatch, capsys) -> None:
    for version in ("3.8", "3.9", "3.11"):
        _python(version)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(DAG)
    dockerfile = "FROM apache/airflow:2.10.5-python3.9\nPYENV 3.8 old\nPYENV 3.11 new\n"
    found = dagcheck.check_dags(dockerfile, "Dockerfile", ["dag.py"])
    # Python stops at a file's first syntax error: one DAG008 a file, as Airflow's import error.
    assert [(d.code, d.line, d.column) for d in found] == [("DAG008", 6, 11), ("DAG009", 6, 11)]
    assert found[1].message == "the venv 'old' (Python 3.8) cannot parse new_in_old(): invalid syntax"
    assert found[0].message == (
        "Airflow's Python 3.9 (from the tag of apache/airflow:2.10.5-python3.9) cannot parse dag.py: invalid syntax"
    )
    # --airflow-python wins over the tag; the summary says what was checked with what.
    (tmp_path / "Dockerfile").write_text(dockerfile)
    assert check_dags.run(["Dockerfile", "dag.py", "--airflow-python", "3.11"]) == 1
    out = capsys.readouterr().out
    assert "DAG008" not in out
    assert out.endswith(
        "1 error, 0 warnings: 1 DAG file, 2 venv uses, 2 venvs; syntax checked with Python 3.11 (Airflow's, "
        "from --airflow-python) and the venvs' 3.8, 3.11\n"
    )


def test_a_bad_airflow_python_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:2.10.5\n")
    (tmp_path / "dag.py").write_text("x = 1\n")
    assert check_dags.run(["Dockerfile", "dag.py", "--airflow-python", "3.9;id"]) == 2
    assert "not a Python 3 X.Y version such as 3.12: '3.9;id'" in capsys.readouterr().err


def test_a_python_that_is_not_here_is_a_skip_in_the_summary(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:2.10.5-python3.99\n")
    (tmp_path / "dag.py").write_text("x = 1\n")
    assert check_dags.run(["Dockerfile", "dag.py"]) == 0
    assert capsys.readouterr().out == (
        "no findings: 1 DAG file, 0 venv uses, 0 venvs; skipped the syntax check against Airflow's Python 3.99 "
        "(no Python 3.99 found (pyenv's versions, or python3.99 on PATH))\n"
    )


def test_the_library_refuses_a_bad_airflow_python(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="airflow_python must be a Python 3 X.Y version"):
        dagcheck.check_dags("FROM apache/airflow:2.10.5\n", "Dockerfile", ["dag.py"], airflow_python="3")
