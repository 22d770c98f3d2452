"""The `pyenvc` command: the spec's command-line table, exit codes, I/O and atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from support import run_cli, run_pyenvc
from pyenvc import pipeline
from pyenvc.commands import console
from pyenvc.commands import main as cli

GOOD = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 a reqs.txt\n"
BAD = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 a;b\n"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(GOOD)
    (tmp_path / "reqs.txt").write_text("requests\n")
    (tmp_path / "packages.txt").write_text("")
    (tmp_path / "requirements.txt").write_text("")
    monkeypatch.chdir(tmp_path)
    return tmp_path


run = run_cli


def test_compile_to_stdout(project) -> None:
    code, out, err = run(["Dockerfile"])
    assert code == 0 and err == ""
    assert b"\nFROM quay.io/astronomer/astro-runtime:12.1.0-base\n" in out
    assert run(["compile", "Dockerfile"])[1] == out
    assert run(["Dockerfile", "-o", "-"])[1] == out


def test_compile_to_file(project) -> None:
    code, out, err = run(["Dockerfile", "-o", "Dockerfile.gen"])
    assert (code, out, err) == (0, b"", "")
    assert (project / "Dockerfile.gen").read_bytes() == run(["Dockerfile"])[1]


def test_stdin_has_no_context(project) -> None:
    code, out, _ = run(["-"], stdin=GOOD.replace("reqs.txt", "missing.txt").encode())
    assert code == 0 and b"missing.txt" in out
    code, _, err = run(["-", "--context", "."], stdin=GOOD.replace("reqs.txt", "missing.txt").encode())
    assert code == 1 and "PYENV018" in err


def test_context_defaults_to_the_files_folder(project) -> None:
    sub = project / "sub"
    sub.mkdir()
    (sub / "Dockerfile").write_text(GOOD)
    code, _, err = run(["sub/Dockerfile"])
    assert code == 1 and "sub/Dockerfile:2:14: error[PYENV018]" in err
    code, _, err = run(["sub/Dockerfile", "--context", "."])
    assert code == 0, err


def test_errors_exit_1_and_write_nothing(project) -> None:
    (project / "Dockerfile").write_text(BAD)
    code, out, err = run(["Dockerfile", "-o", "out"])
    assert code == 1 and out == b""
    assert not (project / "out").exists()
    assert err.splitlines()[0] == "Dockerfile:2:12: error[PYENV013]: invalid venv name 'a;b', expected letters, digits, '_' and '-'"
    assert "2 | PYENV 3.11 a;b" in err and "^^^" in err and "\nhelp: " in err
    assert "\x1b[" not in err  # no colour when stderr is not a terminal


def test_errors_leave_an_existing_output_untouched(project) -> None:
    (project / "out").write_bytes(b"old contents\n")
    (project / "Dockerfile").write_text(BAD)
    assert run(["Dockerfile", "-o", "out"])[0] == 1
    assert (project / "out").read_bytes() == b"old contents\n"


def test_json_diagnostics(project) -> None:
    (project / "Dockerfile").write_text(BAD)
    code, _, err = run(["Dockerfile", "--format", "json"])
    assert code == 1
    (d,) = json.loads(err)
    assert d == {
        "file": "Dockerfile", "line": 2, "column": 12, "severity": "error", "code": "PYENV013",
        "message": "invalid venv name 'a;b', expected letters, digits, '_' and '-'",
        "hint": d["hint"],
    }
    (project / "Dockerfile").write_text(GOOD)
    code, _, err = run(["Dockerfile", "--format", "json", "-o", "x"])
    assert code == 0 and json.loads(err) == []


def test_warnings_exit_0(project) -> None:
    (project / "Dockerfile").write_text("FROM debian\nPYENV 3.12 a\n")
    code, out, err = run(["Dockerfile", "-o", "out"])
    assert code == 0 and "warning[PYENV102]" in err
    assert (project / "out").exists()


def test_check(project) -> None:
    assert run(["Dockerfile", "-o", "out", "--check"])[0] == 1  # missing
    assert not (project / "out").exists()
    run(["Dockerfile", "-o", "out"])
    code, out, err = run(["Dockerfile", "-o", "out", "--check"])
    assert (code, out, err) == (0, b"", "")
    (project / "out").write_bytes(b"stale\n")
    code, _, err = run(["Dockerfile", "-o", "out", "--check"])
    assert code == 1 and "differs" in err
    assert (project / "out").read_bytes() == b"stale\n"


def test_diff(project) -> None:
    (project / "out").write_bytes(b"stale\n")
    code, out, _ = run(["Dockerfile", "-o", "out", "--diff"])
    assert code == 0
    text = out.decode()
    assert text.startswith("--- out (current)\n+++ out (generated)\n")
    assert "-stale\n" in text and "+FROM quay.io/astronomer/astro-runtime:12.1.0-base\n" in text
    assert (project / "out").read_bytes() == b"stale\n"
    assert run(["Dockerfile", "-o", "out", "--diff", "--check"])[0] == 1


def test_check_needs_an_output(project) -> None:
    code, _, err = run(["Dockerfile", "--check"])
    assert code == 2 and err.startswith("pyenvc: error: ")


def test_build_arg(project) -> None:
    (project / "Dockerfile").write_text("ARG v=11.12.0\nFROM quay.io/astronomer/astro-runtime:${v}\nPYENV 3.11 a\n")
    assert b"slim-bullseye" in run(["Dockerfile"])[1]
    assert b"slim-bookworm" in run(["Dockerfile", "--build-arg", "v=12.1.0"])[1]
    assert run(["Dockerfile", "--build-arg", "=x"])[0] == 2


def test_lowering_options(project) -> None:
    (project / "Dockerfile").write_text("FROM debian\nPYENV 3.11 a\n")
    code, out, err = run(["Dockerfile", "--user", "app", "--uid", "1000", "--home", "/srv/app",
                          "--python-flavour", "slim-bullseye"])
    assert code == 0 and err == ""
    assert b"ENV ASTRO_PYENV_a=/srv/app/.venv/a/bin/python" in out
    assert b"python:3.11-slim-bullseye" in out and out.endswith(b"USER app\n")
    (project / "Dockerfile").write_text(GOOD)
    assert b"-base" not in run(["Dockerfile", "--no-astro"])[1]
    assert run(["Dockerfile", "--runtime-image", "x/y"])[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["Dockerfile", "--layout", "nope"],
        ["Dockerfile", "--uv-image", "not an image"],
        ["Dockerfile", "--uid", "abc"],
        ["Dockerfile", "--home", "rel/path"],
        ["Dockerfile", "--bogus"],
        [],
        ["build"],
    ],
)
def test_usage_errors_exit_2(project, argv) -> None:
    code, out, err = run(argv)
    assert code == 2 and out == b""
    assert err.startswith("pyenvc: error: ") and len(err.strip().splitlines()) == 1, err
    if argv[:1] == ["build"]:
        assert "a build context is needed" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing"], "cannot read missing: No such file or directory"),
        (["."], "cannot read .: it is a directory"),
        (["Dockerfile", "-o", "nodir/out"], "cannot write nodir/out"),
        (["Dockerfile", "-o", "."], "cannot write .: it is a directory"),
        (["Dockerfile", "--context", "nope"], "build context nope is not a directory"),
    ],
)
def test_io_errors_are_one_line_exit_2(project, argv, message) -> None:
    code, _, err = run(argv)
    assert code == 2
    assert err.startswith("pyenvc: error: " + message) and err.count("\n") == 1, err


def test_unwritable_output_directory(project) -> None:
    (project / "ro").mkdir(mode=0o500)
    result = run_pyenvc(["Dockerfile", "-o", "ro/out"], project)  # bound by file modes, even as root
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("pyenvc: error: cannot write ro/out: cannot create a file in ro: Permission denied") and result.stderr.count("\n") == 1
    assert list((project / "ro").iterdir()) == []


def test_atomic_write_keeps_mode_and_skips_identical(project) -> None:
    run(["Dockerfile", "-o", "out"])
    os.chmod(project / "out", 0o640)
    (project / "out").write_bytes(b"old\n")
    run(["Dockerfile", "-o", "out"])
    assert oct(os.stat(project / "out").st_mode & 0o777) == "0o640"
    before = os.stat(project / "out").st_mtime_ns
    os.utime(project / "out", ns=(before - 10**9, before - 10**9))
    run(["Dockerfile", "-o", "out"])
    assert os.stat(project / "out").st_mtime_ns == before - 10**9  # identical: not rewritten
    assert [p.name for p in project.iterdir() if p.name.startswith(".out.")] == []


def test_bytes_pass_through(project) -> None:
    raw = "\ufeffFROM debian\r\nRUN echo caf\xe9 \\\r\n  x\r\n".encode("utf-8") + b"RUN echo \xff\xfe\r\n"
    (project / "Dockerfile").write_bytes(raw)
    code, out, _ = run(["Dockerfile"])
    assert code == 0 and out == raw


def test_file_named_like_a_command(project) -> None:
    (project / "build").write_text("FROM x\n")
    assert run(["compile", "build"])[1] == b"FROM x\n"
    assert run(["./build"])[1] == b"FROM x\n"


def test_parse_buildkit_json(project) -> None:
    code, out, _ = run(["parse", "Dockerfile", "--format", "buildkit-json"])
    assert code == 0
    view = json.loads(out)
    assert [c["cmd"] for c in view["commands"]] == ["FROM", "PYENV"]
    (project / "bad").write_text("FROM x\nRUN <<EOF\n")
    code, _, err = run(["parse", "bad"])
    assert code == 1 and "error[DF002]" in err


def test_internal_error_is_one_line_exit_2(project, monkeypatch) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(pipeline, "compile", boom)
    code, _, err = run(["Dockerfile"])
    assert code == 2
    assert err == "pyenvc: internal error: RuntimeError: kaboom (please report this)\n"


def test_help_exits_0(project) -> None:
    code, out, _ = run(["--help"])
    assert code == 0 and b"--check" in out


def test_real_process_stdin_to_stdout(project) -> None:
    """The installed entry point, through a real pipe: bytes in, bytes out, no traceback."""
    crlf = GOOD.replace("\n", "\r\n").encode()
    proc = subprocess.run([sys.executable, "-m", "pyenvc", "-"], input=crlf, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(b"\n") == proc.stdout.count(b"\r\n")
    odd = b"FROM x\nRUN \xff\x00PYENV\n"
    proc = subprocess.run([sys.executable, "-m", "pyenvc", "-"], input=odd, capture_output=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, odd, b"")
    proc = subprocess.run([sys.executable, "-m", "pyenvc", "-"], input=b"PYENV \xff\n", capture_output=True)
    assert proc.returncode == 1 and b"error[PYENV001]" in proc.stderr and b"Traceback" not in proc.stderr


def test_check_dags_is_dispatched(project) -> None:
    (project / "dags").mkdir()
    (project / "dags" / "d.py").write_text("from airflow.decorators import task\n@task.venv('a')\ndef f():\n    pass\n")
    code, out, err = run(["check-dags", "Dockerfile", "dags"])
    assert code == 0, (out, err)


def test_version(project) -> None:
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith(b"pyenvc ")


def test_colour_only_on_a_terminal(project, monkeypatch) -> None:
    (project / "Dockerfile").write_text(BAD)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(console, "color", lambda stream: True)
    code, _, err = run(["Dockerfile"])
    assert code == 1 and "\x1b[31m" in err


def test_help_lists_the_commands_and_each_names_itself() -> None:
    from support import run_cli

    code, out, _ = run_cli(["--help"])
    assert code == 0
    text = out.decode() if isinstance(out, bytes) else out
    assert text.startswith("usage: pyenvc [-h]")
    for command in ("pyenvc [compile] FILE", "pyenvc parse FILE", "pyenvc check-dags DOCKERFILE PATH...", "pyenvc build"):
        assert f"\n  {command}" in text
    for argv, usage in [
        (["compile", "--help"], "usage: pyenvc compile "),
        (["parse", "--help"], "usage: pyenvc parse "),
        (["check-dags", "--help"], "usage: pyenvc check-dags "),
        (["build", "--help"], "usage: pyenvc build "),
    ]:
        code, out, _ = run_cli(argv)
        text = out.decode() if isinstance(out, bytes) else out
        assert code == 0 and text.startswith(usage), (argv, text[:80])
    code, _, err = run_cli(["compile"])
    err = err.decode() if isinstance(err, bytes) else err
    assert code == 2 and "(see `pyenvc compile --help`)" in err
