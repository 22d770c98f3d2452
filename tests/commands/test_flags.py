"""The lowering options on the command line are derived from the options table: every option is
an argument of `pyenvc compile` and a `--pyenvc-` flag of `pyenvc build` (an option added to a
copy of the table appears in both), with the library's defaults; and every value the library
refuses (tests/lowering/test_options.py) is one line and exit 2 from both commands."""

from __future__ import annotations

import argparse

import pytest

from support import run_cli
from bad_options import FAKE, VALUE_ERRORS
from pyenvc.commands import build, flags
from pyenvc.commands import main as cli
from pyenvc.lowering.options import OPTIONS

CLI_VALUE_ERRORS = [(k, text, m) for k, _, text, m in VALUE_ERRORS if text is not None and k in {o.name for o in OPTIONS}]
FLAGS = {o.name: o.flag for o in OPTIONS}


def _option_strings(parser: argparse.ArgumentParser) -> dict[str, str]:
    """dest -> option string, for the parser's flags."""
    return {a.dest: s for a in parser._actions for s in a.option_strings if s.startswith("--")}


def test_every_option_is_an_argument_of_compile() -> None:
    found = _option_strings(cli._compile_parser())
    for option in OPTIONS:
        assert found[option.name] == option.flag


def test_every_option_is_a_flag_of_build() -> None:
    parser, takes_value = build._own_parser()
    expected = {build.PREFIX + o.flag[2:]: o.type is not bool for o in OPTIONS}
    assert takes_value == {**expected, "--pyenvc-format": True}
    found = _option_strings(parser)
    assert all(found[o.name] == build.PREFIX + o.flag[2:] for o in OPTIONS)


def test_the_command_lines_defaults_are_the_librarys() -> None:
    args = cli._compile_parser().parse_args(["Dockerfile"])
    got = flags.keywords(args)
    assert {k: tuple(v) if isinstance(v, list) else v for k, v in got.items()} == {o.name: o.default for o in OPTIONS}
    parser, _ = build._own_parser()
    assert flags.keywords(parser.parse_args([])) == got


def test_an_option_added_to_the_table_appears_in_both_commands() -> None:
    table = (*OPTIONS, FAKE)
    for prefix in ("--", build.PREFIX):
        parser = argparse.ArgumentParser()
        takes_value = flags.add_lowering_options(parser, prefix, table)
        assert takes_value[prefix + "colour"] is True
        assert flags.keywords(parser.parse_args([]), table)["colour"] == "blue"
        assert flags.keywords(parser.parse_args([prefix + "colour", "red"]), table)["colour"] == "red"


def test_values_are_converted_and_repeated_as_the_library_takes_them() -> None:
    args = cli._compile_parser().parse_args(
        ["F", "--uid", "7", "--no-astro", "--runtime-image", "a/b", "--runtime-image", "c/d", "--home", "/h/"]
    )
    got = flags.keywords(args)
    assert (got["uid"], got["astro"], got["runtime_images"], got["home"]) == (7, False, ["a/b", "c/d"], "/h")


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM debian\nPYENV 3.11 a\n")
    return tmp_path


@pytest.mark.parametrize(
    ("keyword", "text", "message"), CLI_VALUE_ERRORS, ids=[f"{k}={t!r}" for k, t, _ in CLI_VALUE_ERRORS]
)
def test_compile_refuses_what_the_library_refuses_in_one_line(project, keyword, text, message) -> None:
    code, out, err = run_cli(["Dockerfile", f"{FLAGS[keyword]}={text}"])
    assert (code, out) == (2, b""), err
    assert err.startswith(f"pyenvc: error: argument {FLAGS[keyword]}: ") and err.count("\n") == 1, err
    assert message in err


@pytest.mark.parametrize(
    ("keyword", "text", "message"), CLI_VALUE_ERRORS, ids=[f"{k}={t!r}" for k, t, _ in CLI_VALUE_ERRORS]
)
def test_build_refuses_what_the_library_refuses_in_one_line(project, keyword, text, message) -> None:
    flag = build.PREFIX + FLAGS[keyword][2:]
    code, out, err = run_cli(["build", f"{flag}={text}", "."])
    assert (code, out) == (2, b""), err
    assert err.startswith(f"pyenvc: error: argument {flag}: ") and err.count("\n") == 1, err
    assert message in err


@pytest.mark.parametrize("text", ["x", "-1", "1.5", "١"])  # Arabic-Indic one: a digit, not ASCII
def test_a_uid_that_is_no_number_is_one_line_exit_2(project, text) -> None:
    code, _, err = run_cli(["Dockerfile", f"--uid={text}"])
    assert code == 2 and "expected a number" in err and err.count("\n") == 1, err
