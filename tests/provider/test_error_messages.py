"""The provider's errors as Airflow shows them: a DAG file parsed by a real DagBag, with Airflow's
default traceback depth (which keeps only the provider's last frames), must still name the DAG
file and the line that used the venv; and the environment values an error lists must not act on
the terminal or the log (control characters escaped). Runs on Airflow 3.3 and 2.11
(`scripts/test-provider`)."""

from __future__ import annotations

import pytest

from pyenvc_airflow import venvs

pytestmark = pytest.mark.airflow

HOSTILE = "/opt/venvs/x/bin/python\x1b[2J\x1b[31mRED\nERROR: injected line\r\t\u202eevil\x7f"


def _import_error(dags, body: str, needle: str) -> tuple[str, str]:
    """The import error of a DAG file that must not parse, and `path, line N` of `needle` in it."""
    path = dags.write(body, parse_only=True)
    found, errors = dags.parse(path)
    assert not found and list(errors) == [str(path)], errors
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text)
    return errors[str(path)], f"{path}, line {line}"


def test_airflow_keeps_its_default_traceback_depth(airflow):
    """The tests below prove something only if Airflow cuts the traceback as it does by default."""
    from airflow.configuration import conf

    assert conf.getint("core", "dagbag_import_error_traceback_depth") == 2
    assert conf.getboolean("core", "dagbag_import_error_tracebacks") is True


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ('@task.venv("snowpark")', "unknown venv 'snowpark'"),
        ('@task.venv(venv="p31")', "did you mean 'p312'?"),
        ('@task.venv("a b")', "invalid venv name 'a b'"),
        ("@task.venv", '@task.venv("name")'),
        ('@task.venv("p38", python="/usr/bin/python3")', "takes the venv's name, not python="),
    ],
    ids=["unknown", "keyword", "invalid", "no-name", "python-path"],
)
def test_the_import_error_names_the_dag_file_and_line_of_the_decorator(dags, pyenv_venvs, use, expected):
    error, where = _import_error(
        dags,
        f"""
        @dag(dag_id="located", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def located():
            {use}
            def f():
                return 1

            f()

        located()
        """,
        use,
    )
    assert expected in error
    assert f"used at {where}: {use}" in error, error


def test_the_import_error_names_the_dag_file_and_line_of_the_operator(dags, pyenv_venvs):
    use = 'VenvOperator(task_id="x", venv="p31", python_callable=one)'
    error, where = _import_error(
        dags,
        f"""
        @dag(dag_id="located_op", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def located_op():
            {use}

        located_op()
        """,
        use,
    )
    assert "did you mean 'p312'?" in error
    assert f"used at {where}: {use}" in error, error


def test_environment_values_in_the_unknown_venv_error_are_escaped(dags, pyenv_venvs, monkeypatch):
    monkeypatch.setenv("ASTRO_PYENV_hostile", HOSTILE)
    monkeypatch.setenv("ASTRO_PYENV_odd\x1b]0;title\x07name", "/opt/odd/bin/python")
    error, _ = _import_error(
        dags,
        """
        @dag(dag_id="escaped", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def escaped():
            @task.venv("snowpark")
            def f():
                return 1

            f()

        escaped()
        """,
        "@task.venv",
    )
    message = error[error.index("UnknownVenvError"):]
    for raw in ("\x1b", "\r", "\t", "\u202e", "\x7f", "\x07"):
        assert raw not in message, repr(message)
    assert not any(line.startswith("ERROR: injected") for line in message.splitlines())
    assert repr(f"ASTRO_PYENV_hostile={HOSTILE}") in message
    assert repr("ASTRO_PYENV_odd\x1b]0;title\x07name=/opt/odd/bin/python") in message
    assert f"'p312' (ASTRO_PYENV_p312={pyenv_venvs['p312']})" in message  # a plain value stays plain


@pytest.mark.parametrize(
    "value",
    [HOSTILE, "/opt/\x00nul/bin/python", "/opt/\udcffbyte/bin/python", "/opt/\u2028line/bin/python"],
    ids=["ansi-newline-bidi", "nul", "not-utf-8", "line-separator"],
)
def test_every_message_that_shows_an_environment_value_escapes_it(value, tmp_path):
    """NUL cannot be in a real environment, nor can unpaired surrogates be printed: the
    functions take the mapping, so they are given here."""
    message = venvs.unknown_message("x", {"ASTRO_PYENV_v": value})
    assert repr(f"ASTRO_PYENV_v={value}") in message and value not in message
    assert len(message.splitlines()) == 3  # the three lines it always has, none injected
    message.encode("utf-8")  # printable as UTF-8: nothing unpaired left
    with pytest.raises(venvs.VenvInterpreterError) as info:
        venvs.check_interpreter("v", value)
    assert repr(f"ASTRO_PYENV_v={value}") in str(info.value) and value not in str(info.value)
    link = tmp_path / "link"
    link.symlink_to(f"/gone\x1b[31m{len(value)}")
    with pytest.raises(venvs.VenvInterpreterError) as info:
        venvs.check_interpreter("v", str(link))
    assert repr(f"/gone\x1b[31m{len(value)}") in str(info.value) and "\x1b" not in str(info.value)
