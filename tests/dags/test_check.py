"""`pyenvc check-dags`: a realistic project's DAG files against its Dockerfile's PYENVs.

Every finding is asserted with its exact file, line and column; DAG files are read, never run.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Sequence

import pytest

from pyenvc.commands import check_dags
from pyenvc.dags import check as dagcheck
from pyenvc.diagnostics import CODES
from support import run_cli

DOCKERFILE = """\
FROM astrocrpublic.azurecr.io/runtime:3.0-1
# one venv per team
PYENV 3.8 legacy requirements/legacy.txt
PYENV --installer=uv 3.12 \\
    analytics requirements/analytics.txt
PYENV 3.11 reporting
"""

# name -> text. Comments at the end of lines say what each line is for; expected positions
# are in EXPECTED below.
DAGS = {
    # Airflow 3, the documented form.
    "etl.py": """\
        from airflow.sdk import dag, task


        @dag(schedule=None)
        def etl():
            @task.venv("legacy")
            def extract():
                return 1

            @task.venv(venv="analytcs")
            def transform(x):
                return x

            transform(extract())


        etl()
        """,
    # An aliased decorator; a name that differs from a declared one only in case.
    "aliased.py": """\
        from airflow.sdk import task as t


        @t.venv("analytics")
        def ok():
            pass


        @t.venv("Legacy", multiple_outputs=True)
        def wrong_case():
            pass
        """,
    # Airflow 2's import; the decorator called directly.
    "airflow2.py": """\
        from airflow.decorators import task


        def work():
            return 2


        ok = task.venv("legacy")(work)
        bad = task.venv("p38")(work)
        """,
    # The module imported under an alias.
    "module_alias.py": """\
        import airflow.sdk as sdk
        import airflow


        @sdk.task.venv("analytics")
        def one():
            pass


        @sdk.task.venv("analytics-v2")
        def two():
            pass


        @airflow.decorators.task.venv(venv="nope")
        def three():
            pass
        """,
    # The classic operator, imported under aliases; a non-ASCII word before the name.
    "operators.py": """\
        from pyenvc_airflow import VenvOperator as VO
        import pyenvc_airflow.operator as op


        def work():
            pass


        a = VO(task_id="a", venv="legacy", python_callable=work)
        b = VO(task_id="prépare", venv="legacy2", python_callable=work)
        c = op.VenvOperator(
            task_id="c",
            python_callable=work,
            venv='reportng',
        )
        """,
    # Names only running the DAG could tell: skipped.
    "dynamic.py": """\
        from airflow.sdk import task

        for name in ["legacy", "analytics"]:
            @task.venv(name)
            def each():
                pass

        @task.venv("{{ params.venv }}")
        def templated():
            pass
        """,
    # A module constant assigned once counts as the name; `t = task` is followed.
    "constants.py": """\
        from airflow.sdk import task

        VENV = "analytic"
        t = task


        @t.venv(VENV)
        def uses_constant():
            pass
        """,
    # Importing this file would write a file and raise; reading it must do neither.
    "side_effects.py": """\
        import pathlib

        from airflow.sdk import task

        pathlib.Path(__file__).with_name("EXECUTED").write_text("ran")
        raise RuntimeError("this DAG file was executed")


        @task.venv("legacy")
        def never():
            pass
        """,
    # A `task` that is not Airflow's: no finding.
    "unrelated.py": """\
        class task:
            @staticmethod
            def venv(name):
                return name


        task.venv("not-a-venv")
        """,
    # Folders are searched recursively.
    "team/nested/deep.py": """\
        from airflow.decorators import task as tk


        @tk.venv(venv="legacy")
        def fine():
            pass


        @tk.venv("reporting_v1")
        def wrong():
            pass
        """,
    # Skipped: byte-code caches, hidden folders and files that are not *.py.
    "team/__pycache__/cached.py": 'from airflow.sdk import task\ntask.venv("cached")\n',
    ".venv/lib/site.py": 'from airflow.sdk import task\ntask.venv("hidden")\n',
    "notes.txt": 'from airflow.sdk import task\ntask.venv("text")\n',
}

# (file, line, column, code, severity) of every finding, in the order reported.
EXPECTED = [
    ("dags/airflow2.py", 9, 17, "DAG001", "error"),  # "p38"
    ("dags/aliased.py", 9, 9, "DAG001", "error"),  # "Legacy"
    ("dags/constants.py", 7, 9, "DAG001", "error"),  # VENV, whose value is "analytic"
    ("dags/etl.py", 10, 21, "DAG001", "error"),  # "analytcs"
    ("dags/module_alias.py", 10, 16, "DAG001", "error"),  # "analytics-v2"
    ("dags/module_alias.py", 15, 36, "DAG001", "error"),  # "nope"
    ("dags/operators.py", 10, 32, "DAG001", "error"),  # "legacy2", after "prépare"
    ("dags/operators.py", 14, 10, "DAG001", "error"),  # 'reportng'
    ("dags/team/nested/deep.py", 9, 10, "DAG001", "error"),  # "reporting_v1"
    ("Dockerfile", 6, 12, "DAG002", "warning"),  # reporting
]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    for name, text in DAGS.items():
        path = tmp_path / "dags" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(diagnostics):
    return [(d.path, d.line, d.column, d.code, d.severity) for d in diagnostics]


def check(*paths: str):
    return dagcheck.check_dags(Path("Dockerfile").read_text(), "Dockerfile", list(paths) or ["dags"])


def by_position(diagnostics, path, line):
    [found] = [d for d in diagnostics if d.path == path and d.line == line]
    return found


def test_every_finding_at_its_exact_position(project) -> None:
    assert findings(check()) == EXPECTED


def test_messages_and_hints(project) -> None:
    found = check()
    typo = by_position(found, "dags/etl.py", 10)
    assert typo.message == "no PYENV in Dockerfile declares the venv 'analytcs'"
    assert typo.hint == "write 'analytics', which Dockerfile declares, or add `PYENV 3.12 analytcs` to Dockerfile"
    assert by_position(found, "dags/aliased.py", 9).hint.startswith("write 'legacy', which Dockerfile declares")
    assert by_position(found, "dags/constants.py", 7).message == (
        "no PYENV in Dockerfile declares the venv 'analytic' (the value of VENV)"
    )
    assert by_position(found, "dags/module_alias.py", 15).hint == (
        "add `PYENV 3.12 nope` to Dockerfile (it declares 'analytics', 'legacy', 'reporting')"
    )
    unused = by_position(found, "Dockerfile", 6)
    assert unused.message == "no task in the DAG files uses the venv 'reporting'"
    assert unused.hint.startswith('remove the PYENV, or run a task in it with `@task.venv("reporting")`')
    # dynamic.py's two computed names are skipped, but the warning says such a task may use it
    assert unused.hint.endswith("a task whose venv name is computed (dags/dynamic.py:4 and 1 more) may use it")
    assert all(d.code in CODES for d in found)


def test_dag_files_are_read_never_run(project) -> None:
    before = set(sys.modules)
    check()
    assert not (project / "dags" / "EXECUTED").exists()
    assert not any(m.endswith(("side_effects", "etl")) for m in set(sys.modules) - before)
    # and in a fresh interpreter, where nothing else could have imported airflow or the provider
    code = textwrap.dedent(
        """
        import sys
        from pyenvc.commands.check_dags import run
        code = run(["Dockerfile", "dags"])
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("airflow", "pyenvc_airflow"))
        assert not bad, bad
        sys.exit(code)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert not (project / "dags" / "EXECUTED").exists()


def test_importing_dagcheck_does_not_import_airflow() -> None:
    code = "import sys, pyenvc.dags.check\nbad = [m for m in sys.modules if m.split('.')[0] in ('airflow', 'pyenvc_airflow')]\nassert not bad, bad\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_text_output_points_at_the_name_in_each_file(project, capsys) -> None:
    assert check_dags.run(["Dockerfile", "dags"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert "dags/operators.py:10:32: error[DAG001]: no PYENV in Dockerfile declares the venv 'legacy2'\n" in out
    assert (
        '10 | b = VO(task_id="prépare", venv="legacy2", python_callable=work)\n'
        "   | " + " " * 31 + "^" * 9 + "\n"
    ) in out
    assert (
        "Dockerfile:6:12: warning[DAG002]: no task in the DAG files uses the venv 'reporting'\n"
        "  |\n"
        "6 | PYENV 3.11 reporting\n"
        "  |            ^^^^^^^^^\n"
    ) in out
    assert out.endswith(
        "9 errors, 1 warning: 10 DAG files, 18 venv uses, 3 venvs; syntax checked with the venvs' 3.8, 3.12; skipped the "
        "syntax check against Airflow's "
        "Python (pass --airflow-python X.Y: the base image's tag has no -pythonX.Y suffix)\n"
    )


def test_json_output(project, capsys) -> None:
    assert check_dags.run(["Dockerfile", "dags", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    records = json.loads(out)
    assert [(r["file"], r["line"], r["column"], r["code"], r["severity"]) for r in records] == EXPECTED
    assert records[3] == {
        "file": "dags/etl.py",
        "line": 10,
        "column": 21,
        "severity": "error",
        "code": "DAG001",
        "message": "no PYENV in Dockerfile declares the venv 'analytcs'",
        "hint": "write 'analytics', which Dockerfile declares, or add `PYENV 3.12 analytcs` to Dockerfile",
    }


def test_clean_project_exits_0_with_only_the_summary(project, capsys) -> None:
    (project / "ok.py").write_text(
        "from airflow.sdk import task\n"
        "from pyenvc_airflow import VenvOperator\n"
        '@task.venv("legacy")\ndef a(): pass\n'
        '@task.venv("analytics")\ndef b(): pass\n'
        'VenvOperator(task_id="c", venv="reporting", python_callable=a)\n'
    )
    assert check_dags.run(["Dockerfile", "ok.py", "--airflow-python", "3.9"]) == 0
    assert capsys.readouterr() == (
        "no findings: 1 DAG file, 3 venv uses, 3 venvs; syntax checked with Python 3.9 (Airflow's, from"
        " --airflow-python) and the venvs' 3.8, 3.11, 3.12\n", "")
    assert check_dags.run(["Dockerfile", "ok.py", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_warnings_alone_exit_0(project, capsys) -> None:
    assert check_dags.run(["Dockerfile", "dags/etl.py"]) == 1  # analytcs
    capsys.readouterr()
    code = check_dags.run(["Dockerfile", "dags/airflow2.py", "dags/aliased.py", "dags/unrelated.py"])
    assert code == 1
    (project / "only_legacy.py").write_text('from airflow.sdk import task\ntask.venv("legacy")\n')
    capsys.readouterr()
    assert check_dags.run(["Dockerfile", "only_legacy.py"]) == 0
    out = capsys.readouterr().out
    assert out.count("warning[DAG002]") == 2 and "\n0 errors, 2 warnings: 1 DAG file, 1 venv use, 3 venvs;" in out


def test_files_and_folders_each_read_once_in_order(project) -> None:
    found = check("dags/operators.py", "dags", "dags/etl.py", "dags/notes.txt")
    paths = [d.path for d in found if d.code == "DAG001"]
    assert paths[:2] == ["dags/operators.py"] * 2  # named first, reported first
    assert paths.count("dags/etl.py") == 1
    # a file named explicitly is read whatever its extension; a folder yields only *.py
    assert by_position(found, "dags/notes.txt", 2).message.endswith("the venv 'text'")
    assert not any("__pycache__" in p or ".venv" in p for p in paths)


def test_a_dag_file_that_is_not_python(project, capsys) -> None:
    # the spec: "a DAG file that does not parse at all: a warning (DAG003), since Airflow
    # reports it as an import error anyway"; warnings alone exit 0
    (project / "dags" / "broken.py").write_text('from airflow.sdk import task\n\n@task.venv("legacy"\ndef f():\n    pass\n')
    found = check()
    broken = by_position(found, "dags/broken.py", 3)
    assert (broken.code, broken.severity, broken.column) == ("DAG003", "warning", 11)
    assert broken.message == "cannot read dags/broken.py as Python: '(' was never closed"
    assert broken.hint.startswith("fix the file so that `python -m py_compile dags/broken.py` passes")
    assert findings(found) == EXPECTED[:2] + [("dags/broken.py", 3, 11, "DAG003", "warning")] + EXPECTED[2:]
    assert check_dags.run(["Dockerfile", "dags/broken.py"]) == 0
    assert "dags/broken.py:3:11: warning[DAG003]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"x = 1\x00\n", 1, 1),  # null bytes: Python's ValueError (3.11) or SyntaxError
        (b"x = '\xff'\n", 1, None),  # not UTF-8 and no coding declaration
        (b"def f(:\n", 1, 7),
    ],
)
def test_undecodable_or_odd_files_are_dag003(project, data, line, column) -> None:
    (project / "bad.py").write_bytes(data)
    [found] = [d for d in check("bad.py") if d.path == "bad.py"]
    assert (found.code, found.line) == ("DAG003", line)
    if column is not None:
        assert found.column == column


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b'from airflow.sdk import task\r\ntask.venv("x")\r\n', 2, 11),  # CRLF
        (b'from airflow.sdk import task\rtask.venv("x")\r', 2, 11),  # lone CRs end lines in Python
        (b'\xef\xbb\xbffrom airflow.sdk import task\ntask.venv("x")\n', 2, 11),  # BOM
        (b'\xef\xbb\xbffrom airflow.sdk import task; task.venv("x")\n', 1, 41),  # BOM, same line
        (b'# -*- coding: latin-1 -*-\nfrom airflow.sdk import task\ns = "\xe9\xe9"; task.venv("x")\n', 3, 21),
        (b'from airflow.sdk import task\nd = {"\xf0\x9f\x90\x8d": task.venv("x")}\n', 2, 21),  # astral char
        (b'from airflow.sdk import task\ntask.venv(\n    "x"\n)\n', 3, 5),
        (b'from airflow.sdk import task\ntask.venv("a" "x")\n', 2, 11),  # implicit concatenation
    ],
)
def test_positions_are_in_characters_on_python_lines(project, data, line, column) -> None:
    (project / "enc.py").write_bytes(data)
    [found] = [d for d in check("enc.py") if d.code == "DAG001"]
    assert (found.line, found.column) == (line, column)


def test_the_caret_covers_a_literal_across_lines(project, capsys) -> None:
    (project / "multi.py").write_text('from airflow.sdk import task\ntask.venv("""x\n""")\n')
    assert check_dags.run(["Dockerfile", "multi.py"]) == 1
    out = capsys.readouterr().out
    assert '2 | task.venv("""x\n  |           ^^^^\n' in out
    assert "rename it: a venv name has only letters, digits, `_` and `-`" in out


def test_import_forms(project) -> None:
    (project / "forms.py").write_text(
        textwrap.dedent(
            """\
            from airflow.sdk import *
            from airflow import sdk
            from pyenvc_airflow import venv_task
            from pyenvc_airflow.operator import VenvOperator as Op
            import pyenvc_airflow as pa
            from .local import task as not_airflow
            try:
                from airflow.sdk import task as tt
            except ImportError:
                from airflow.decorators import task as tt
            v = tt.venv

            task.venv("a1")
            sdk.task.venv("a2")
            venv_task("a3")
            Op(venv="a4")
            pa.VenvOperator(task_id="x", venv="a5")
            pa.venv_task(venv="a6")
            v("a7")
            not_airflow.venv("n1")
            Op("n2")
            Op(**{"venv": "n3"})
            task.venv(*["n4"])
            task.venv()
            """
        )
    )
    found = [(d.line, d.column, d.message.split("'")[1]) for d in check("forms.py") if d.code == "DAG001"]
    assert found == [
        (13, 11, "a1"),
        (14, 15, "a2"),
        (15, 11, "a3"),
        (16, 9, "a4"),
        (17, 35, "a5"),
        (18, 19, "a6"),
        (19, 3, "a7"),
    ]


def test_a_constant_reassigned_is_dynamic(project) -> None:
    (project / "c.py").write_text(
        'from airflow.sdk import task\nV = "x"\nW: str = "y"\nV = "z"\ntask.venv(V)\ntask.venv(W)\n'
    )
    found = [(d.line, d.column, d.message) for d in check("c.py") if d.code == "DAG001"]
    assert found == [(6, 11, "no PYENV in Dockerfile declares the venv 'y' (the value of W)")]


def test_a_dockerfile_that_does_not_parse(project, capsys) -> None:
    (project / "Dockerfile").write_text("FROM python:3.12\nPYENV 3.11 a\nRUN <<EOF\necho never closed\n")
    found = check()
    assert found and all(d.path == "Dockerfile" and d.severity == "error" for d in found)
    assert [d.code for d in found] == ["DF002"]
    assert check_dags.run(["Dockerfile", "dags"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Dockerfile:{found[0].line}:{found[0].column}: error[DF002]")
    assert check_dags.run(["Dockerfile", "dags", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["code"] == "DF002"


def test_pyenv_forms_in_the_dockerfile(project) -> None:
    (project / "Dockerfile").write_text(
        "FROM python:3.12 AS one\n"
        "PYENV 3.11 a\n"
        "pyenv\t--python-image=python:3.10-slim   3.10\tb\n"
        "FROM one AS two\n"  # built on `one`, so its venvs are declared too
        "PYENV 3.11 a\n"  # the same name in both stages: used once, used everywhere
        "PYENV 3.11\n"  # malformed: compiling reports it; no venv here
        "PYENV 3.11 $NAME\n"  # a variable: compiling reports it
    )
    (project / "uses.py").write_text('from airflow.sdk import task\ntask.venv("a")\n')
    assert findings(check("uses.py")) == [("Dockerfile", 3, 46, "DAG002", "warning")]


def test_the_dockerfile_is_read_from_stdin(project, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DOCKERFILE.encode())))
    assert check_dags.run(["-", "dags/etl.py", "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["line"], r["column"]) for r in records] == [
        ("dags/etl.py", 10, 21),  # analytcs
        ("<stdin>", 5, 5),  # analytics, on the continuation line
        ("<stdin>", 6, 12),  # reporting
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing", "dags"], "cannot read missing: No such file or directory"),
        (["dags", "dags"], "cannot read dags: it is a directory"),
        (["Dockerfile", "dags", "nowhere.py"], "cannot read nowhere.py: No such file or directory"),
        (["Dockerfile"], "the following arguments are required: PATH"),
        ([], "the following arguments are required: DOCKERFILE, PATH"),
        (["Dockerfile", "dags", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["Dockerfile", "dags", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_and_io_errors_are_one_line_exit_2(project, capsys, argv, message) -> None:
    assert check_dags.run(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("pyenvc: error: ") and message in err and len(err.splitlines()) == 1, err


def test_a_file_that_cannot_be_read_is_a_finding(project, capsys) -> None:
    """Unreadable paths are findings (tests/dags/test_walk.py has each kind); the rest is checked."""
    if not os.path.exists("/proc/self/mem"):
        pytest.skip("needs Linux's /proc/self/mem, a file whose read fails even for root")
    assert check_dags.run(["Dockerfile", "/proc/self/mem", "dags/etl.py"]) == 1
    out, err = capsys.readouterr()
    assert err == "" and "/proc/self/mem:1:1: error[DAG004]: cannot read /proc/self/mem: Input/output error" in out
    assert "dags/etl.py" in out


def test_help_exits_0(capsys) -> None:
    assert check_dags.run(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: pyenvc check-dags [-h]")


def test_a_compiled_dockerfile_gets_a_hint_to_use_its_source(project) -> None:
    from pyenvc import compile

    (project / "requirements").mkdir()
    for name in ("legacy", "analytics"):
        (project / "requirements" / f"{name}.txt").write_text("")
    result = compile(DOCKERFILE.replace("--installer=uv ", ""), context=str(project), astro=False)
    assert result.output is not None, result.diagnostics
    (project / "Dockerfile.out").write_text(result.output)
    found = dagcheck.check_dags((project / "Dockerfile.out").read_text(), "Dockerfile.out", ["dags/etl.py"])
    assert [(d.line, d.column) for d in found] == [(6, 16), (10, 21)]
    assert found[0].hint == (
        "check against the Dockerfile that has the PYENV lines: Dockerfile.out sets ASTRO_PYENV_ "
        "variables but has no PYENV, so it looks like pyenvc's output"
    )


# ---------------------------------------------------------------------------------------------
# Stages: the image declares the venvs of its target stage and of the stages it is built FROM.
# The real command, run in-process.

STAGED = """\
FROM python:3.12 AS tools
PYENV 3.11 lint
FROM astrocrpublic.azurecr.io/runtime:3.0-1 AS base
PYENV 3.12 etl
FROM base AS app
PYENV 3.11 report
"""


def check_stages(dockerfile: str, uses: Sequence[str], *options: str):
    """`pyenvc check-dags Dockerfile.staged uses.py --format json OPTIONS...`, where uses.py runs
    a task in each venv of `uses`, one a line from line 2; returns the exit code and the
    findings as (file, line, column, code), and the JSON records themselves."""
    Path("Dockerfile.staged").write_text(dockerfile)
    Path("uses.py").write_text("from airflow.sdk import task\n" + "".join(f'task.venv("{name}")\n' for name in uses))
    code, out, err = run_cli(["check-dags", "Dockerfile.staged", "uses.py", "--format", "json", *options])
    assert err == ""
    records = json.loads(out)
    return code, [(r["file"], r["line"], r["column"], r["code"]) for r in records], records


def test_a_venv_of_a_stage_the_image_is_not_built_on_is_not_declared(project) -> None:
    code, found, records = check_stages(STAGED, ["lint", "etl", "report"])
    assert code == 1
    assert found == [("uses.py", 2, 11, "DAG001")]  # lint; etl is in `base`, which `app` is built on
    assert records[0]["message"] == (
        "the venv 'lint' is declared only in stage 'tools' of Dockerfile.staged, "
        "which the image (stage 'app') is not built on"
    )
    assert records[0]["hint"] == (
        "move its PYENV into stage 'app' or a stage it is built FROM, "
        "or check with `--target tools` if that stage is the image Airflow runs"
    )


def test_unused_warnings_only_for_the_venvs_of_the_image(project) -> None:
    code, found, _ = check_stages(STAGED, [])
    assert code == 0
    assert found == [("Dockerfile.staged", 4, 12, "DAG002"), ("Dockerfile.staged", 6, 12, "DAG002")]  # not lint


def test_target_names_the_stage_that_is_the_image(project) -> None:
    assert check_stages(STAGED, ["lint"], "--target", "tools")[:2] == (0, [])
    code, found, records = check_stages(STAGED, ["lint", "etl"], "--target", "tools")
    assert (code, found) == (1, [("uses.py", 3, 11, "DAG001")])
    assert "declared only in stage 'base'" in records[0]["message"]
    assert "which the image (stage 'tools') is not built on" in records[0]["message"]
    # a stage in the middle: its parents count, the stages built on it do not
    code, found, _ = check_stages(STAGED, ["etl", "report"], "--target", "base")
    assert (code, found) == (1, [("uses.py", 3, 11, "DAG001")])


def test_a_venv_in_a_parent_stage_counts(project) -> None:
    text = "FROM python:3.12 AS base\nPYENV 3.11 a\nFROM base AS mid\nFROM mid AS app\nPYENV 3.12 b\n"
    assert check_stages(text, ["a", "b"])[:2] == (0, [])


def test_a_stage_named_like_an_image(project) -> None:
    named = "FROM python:3.12 AS python\nPYENV 3.11 a\n"
    assert check_stages(named + "FROM python\n", ["a"])[:2] == (0, [])  # the stage, not the image
    code, found, records = check_stages(named + "FROM python:3.12\n", ["a"])  # the image
    assert (code, found) == (1, [("uses.py", 2, 11, "DAG001")])
    assert "which the image (the stage at line 3) is not built on" in records[0]["message"]


def test_stage_names_are_compared_lower_cased(project) -> None:
    text = "FROM python:3.12 AS Base\nPYENV 3.11 a\nFROM base AS App\nPYENV 3.11 b\nFROM python:3.12\n"
    assert check_stages(text, ["a", "b"], "--target", "APP")[:2] == (0, [])
    assert check_stages(text, ["a"], "--target", "base")[:2] == (0, [])


def test_a_from_naming_a_later_stage_is_an_image(project) -> None:
    text = (
        "FROM later AS first\n"  # `later` is defined below: here it is an image
        "PYENV 3.11 a\n"
        "FROM python:3.12 AS later\n"
        "PYENV 3.11 b\n"
        "FROM first\n"
    )
    code, found, records = check_stages(text, ["a", "b"])
    assert (code, found) == (1, [("uses.py", 3, 11, "DAG001")])
    assert records[0]["message"].startswith("the venv 'b' is declared only in stage 'later'")


def test_from_is_resolved_from_the_global_args_and_build_args(project) -> None:
    text = "ARG B=base\nFROM python:3.12 AS base\nPYENV 3.11 a\nFROM ${B}\n"
    assert check_stages(text, ["a"])[:2] == (0, [])
    code, found, _ = check_stages(text, ["a"], "--build-arg", "B=python:3.12")
    assert (code, found) == (1, [("uses.py", 2, 11, "DAG001")])
    # an ARG after the first FROM is not global; a FROM that cannot be resolved is an image
    later = "FROM python:3.12 AS base\nPYENV 3.11 a\nARG B=base\nFROM ${B}\n"
    assert check_stages(later, ["a"])[1] == [("uses.py", 2, 11, "DAG001")]
    assert check_stages(later, ["a"], "--build-arg", "B=base")[1] == [("uses.py", 2, 11, "DAG001")]


def test_an_unknown_target_is_a_usage_error_naming_the_stages(project) -> None:
    Path("Dockerfile.staged").write_text(STAGED)
    code, out, err = run_cli(["check-dags", "Dockerfile.staged", "dags", "--target", "nope"])
    assert (code, out) == (2, b"")
    assert err == (
        "pyenvc: error: no stage named 'nope' in Dockerfile.staged for --target: "
        "its stages are 'tools', 'base', 'app'\n"
    )
    code, out, err = run_cli(["check-dags", "Dockerfile", "dags", "--target", "app"])
    assert (code, out) == (2, b"")
    assert err == "pyenvc: error: no stage named 'app' in Dockerfile for --target: it names no stage\n"
    code, out, err = run_cli(["check-dags", "Dockerfile", "dags", "--build-arg", "=x"])
    assert code == 2 and out == b"" and "invalid build argument '=x', expected K=V" in err and err.count("\n") == 1
    with pytest.raises(dagcheck.UnknownTarget):
        dagcheck.check_dags(STAGED, "Dockerfile.staged", ["dags"], target="nope")


def test_the_library_takes_target_and_build_args(project) -> None:
    text = "ARG B=tools\n" + STAGED + "FROM ${B}\n"
    uses = project / "uses.py"
    uses.write_text('from airflow.sdk import task\ntask.venv("lint")\n')
    assert [d.code for d in dagcheck.check_dags(text, "D", [str(uses)])] == []
    assert [d.code for d in dagcheck.check_dags(text, "D", [str(uses)], build_args={"B": "app"})] == [
        "DAG001", "DAG002", "DAG002"
    ]
    found = dagcheck.check_dags(text, "D", [str(uses)], target="Tools", build_args={"B": "app"})
    assert found == []
