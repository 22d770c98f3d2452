"""The venv's Python version, as the provider finds and uses it: a venv on Python 3.6 (older than
Airflow's runner script can run) fails the task with a message naming the venv, its version and
what to do, not a `SyntaxError`; Python 3.7 (the oldest the script runs on) works; and every task
log names the venv's Python version and interpreter. Real venvs from pyenv's builds, real
`dag.test()` runs on Airflow 3.3 and 2.11 (`scripts/test-provider`)."""

from __future__ import annotations

import re
import subprocess

import pytest

from pyenvc_airflow import venv_python

pytestmark = pytest.mark.airflow

def test_the_compiler_warns_below_the_same_minimum_the_provider_refuses() -> None:
    from pyenvc.lowering import pythons

    assert pythons.TASK_VENV_MINIMUM == venv_python.MINIMUM


def _task_log(capfd, caplog) -> str:
    """What the tasks logged: Airflow 3's dag.test() writes it to the process's stdout/stderr,
    Airflow 2's goes through the logging module (which pytest captures)."""
    out = capfd.readouterr()
    return out.out + out.err + caplog.text


TWO_TASKS = """
@dag(dag_id="{name}", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
     default_args={{"on_failure_callback": record_failure}})
def {name}():
    @task.venv("{name}")
    def deco():
        import sys
        return list(sys.version_info[:3])

    VenvOperator(task_id="classic", venv="{name}", python_callable=one)
    deco()

{name}()
"""


def test_python_36_venv_fails_the_task_with_a_clear_message(dags, declare_venv):
    python, version = declare_venv("old36", "3.6")
    states = dags.run(TWO_TASKS.format(name="old36"), "old36")
    assert states == {"deco": "failed", "classic": "failed"}
    for task_id in ("deco", "classic"):
        error = dags.error(task_id)
        assert error["type"] == "UnsupportedPythonError", error
        message = error["message"]
        assert f"venv 'old36' ({python}) runs Python {version}" in message
        assert "Airflow's venv runner needs Python 3.7 or newer" in message
        assert "help: build the venv with `PYENV 3.7 old36 ...` or newer" in message


def test_python_37_venv_runs_and_the_log_names_its_version(dags, declare_venv, capfd, caplog):
    python, version = declare_venv("old37", "3.7")
    states = dags.run(TWO_TASKS.format(name="old37"), "old37")
    assert states == {"deco": "success", "classic": "success"}
    log = _task_log(capfd, caplog)
    assert f"running in venv 'old37' (Python {version}, {python})" in log, log


def test_the_log_names_the_version_of_each_venv(dags, pyenv_venvs, capfd, caplog):
    states = dags.run(
        """
        @dag(dag_id="logged", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def logged():
            VenvOperator(task_id="a", venv="p38", python_callable=one)
            VenvOperator(task_id="b", venv="p312", python_callable=one)

        logged()
        """,
        "logged",
    )
    assert states == {"a": "success", "b": "success"}
    log = _task_log(capfd, caplog)
    for name, python in pyenv_venvs.items():
        real = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert f"running in venv '{name}' (Python {real}, {python})" in log, log


# -- reading the version, without Airflow ------------------------------------------------------


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        ("home = /x\nversion = 3.6.15\n", "3.6.15"),  # python -m venv
        ("home = /x\nimplementation = CPython\nversion_info = 3.12.1\n", "3.12.1"),  # uv
        ("home = /x\nversion_info = 3.8.18.final.0\n", "3.8.18"),  # virtualenv
        ("home = /x\nversion = 3.13\n", "3.13"),
    ],
)
def test_version_from_pyvenv_cfg(tmp_path, cfg, expected):
    (tmp_path / "bin").mkdir()
    (tmp_path / "pyvenv.cfg").write_text(cfg)
    assert venv_python.version(str(tmp_path / "bin" / "python")) == expected


@pytest.mark.parametrize("minor", ["2.7", "3.6", "3.12"])
def test_version_outside_a_venv_asks_the_interpreter(pyenv_build, minor):
    python = pyenv_build(minor)
    assert venv_python.version(str(python)) == python.parent.parent.name


def test_version_of_nothing_is_unknown_and_not_an_error(tmp_path):
    missing = str(tmp_path / "bin" / "python")
    assert venv_python.version(missing) is None
    venv_python.check_supported("x", missing, None)


@pytest.mark.parametrize(("found", "refused"), [("2.7.18", True), ("3.6.15", True), ("3.7", False), ("3.10.1", False)])
def test_check_supported_boundary(found, refused):
    if refused:
        with pytest.raises(venv_python.UnsupportedPythonError, match=rf"runs Python {re.escape(found)},"):
            venv_python.check_supported("v", "/v/bin/python", found)
    else:
        venv_python.check_supported("v", "/v/bin/python", found)
