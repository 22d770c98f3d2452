"""The commands' shared edge: colour rules and the exit codes that replace tracebacks."""

from __future__ import annotations

import pytest

from pyenvc.commands import console


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("env", "expected"), [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)])
def test_colour_only_on_a_terminal_that_wants_it(monkeypatch, env, expected):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert console.color(_Terminal()) is expected
    assert console.color(object()) is False


def _raise(error: BaseException):
    def body() -> int:
        raise error

    return body


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (console.UsageError("bad flag"), 2, "pyenvc: error: bad flag"),
        (KeyboardInterrupt(), 2, "pyenvc: interrupted"),
        (ValueError("boom"), 2, "pyenvc: internal error: ValueError: boom (please report this)"),
        (SystemExit(0), 0, ""),
    ],
)
def test_guarded_turns_every_failure_into_one_line_and_an_exit_code(capsys, error, code, message):
    assert console.guarded(_raise(error)) == code
    assert capsys.readouterr().err.strip() == message


@pytest.mark.parametrize("columns", [None, "50", "200", "0", "-3", "wide"])
def test_help_is_as_wide_as_argparse_would_make_it(monkeypatch, columns):
    import argparse
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert console._terminal_columns() == shutil.get_terminal_size().columns
    parser = console.ArgumentParser(prog="p", description="d " * 80)
    parser.add_argument("--flag", help="h " * 60)
    plain = argparse.ArgumentParser(prog="p", description="d " * 80)
    plain.add_argument("--flag", help="h " * 60)
    assert parser.format_help() == plain.format_help()

