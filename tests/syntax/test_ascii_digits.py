"""Where pyenvc mirrors BuildKit's Go code, a digit is an ASCII digit, as Go's `\\d` and
strconv.Atoi have it: Python's `\\d` and int() also take the digits of other scripts (`٣`, `３`)."""

from __future__ import annotations

import pytest

import pyenvc


@pytest.mark.parametrize("digit", ["\u0663", "\uff13", "\u0969", "\U0001d7d1"])
def test_a_heredoc_file_descriptor_is_ascii_digits(digit: str) -> None:
    """`3<<EOF` opens a heredoc for fd 3; `٣<<EOF` is a plain word to BuildKit, so the lines
    after it are instructions."""
    ascii_form = pyenvc.parse("FROM x\nRUN 3<<EOF cat\nRUN y\nEOF\n").instructions()
    assert [(h.file_descriptor, h.name) for h in ascii_form[1].heredocs] == [(3, "EOF")]
    other = pyenvc.parse(f"FROM x\nRUN {digit}<<EOF cat\nRUN y\nEOF\n").instructions()
    assert [n.keyword for n in other] == ["FROM", "RUN", "RUN", "EOF"]
    assert not other[1].heredocs
    view = pyenvc.to_buildkit(pyenvc.parse(f"FROM x\nCOPY {digit}<<EOF /a\n"))
    assert view["commands"][1]["heredocs"] == [] and view["commands"][1]["next"] == [f"{digit}<<EOF", "/a"]


@pytest.mark.parametrize("tag", ["\uff11\uff12.1.0", "12.\u0661.0", "3.\u0660-1"])
def test_an_astro_runtime_tag_in_other_digits_is_not_a_version(tag: str) -> None:
    from pyenvc.lowering.images import runtime_flavour

    assert runtime_flavour(tag).flavour is None
    assert runtime_flavour("12.1.0").flavour == "slim-bookworm"


@pytest.mark.parametrize("value", ["\uff13.\uff11\uff12", "3.\u0661\u0662", "3.\u00b9\u00b2"])
def test_check_dags_airflow_python_takes_ascii_digits_only(tmp_path, monkeypatch, value: str) -> None:
    from support import run_cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM apache/airflow:2.10.5\nPYENV 3.11 a\n")
    (tmp_path / "d.py").write_text("x = 1\n")
    code, _out, err = run_cli(["check-dags", "Dockerfile", "d.py", "--airflow-python", value])
    assert code == 2 and "not a Python 3 X.Y version" in err
    code, _out, _err = run_cli(["check-dags", "Dockerfile", "d.py", "--airflow-python", "3.12"])
    assert code == 0
