"""Every lowering flag of `pyenvc compile` (from the options table, so a new option is covered
here unchanged) given text that hypothesis makes up: exit 0, 1 or 2, and a refusal is one line
naming the flag, never an internal error; a NUL byte anywhere in argv is one line and exit 2."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import run_cli
from pyenvc.lowering.options import MAX_UID, OPTIONS

VALUED = [o for o in OPTIONS if o.type is not bool]
TEXT = "FROM debian\nPYENV 3.11 a\n"
BASE = [("uid", "--uid=1"), ("home", "--home=/h"), ("user", "--user=u")]  # past the unknown base image


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flags")
    (folder / "Dockerfile").write_text(TEXT)
    return folder


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(option=st.sampled_from(VALUED), text=st.text(alphabet=st.characters(blacklist_characters="\0"), max_size=12))
def test_any_text_for_any_flag_is_accepted_or_refused_in_one_line(project, monkeypatch, option, text) -> None:
    monkeypatch.chdir(project)
    others = [flag for name, flag in BASE if name != option.name]
    code, out, err = run_cli(["Dockerfile", f"{option.flag}={text}", *others])
    assert code in (0, 1, 2), err
    assert "internal error" not in err and "Traceback" not in err
    if code == 2:
        assert err.startswith(f"pyenvc: error: argument {option.flag}: ") and err.count("\n") == 1, err
        assert out == b""


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(["Dockerfile", "--uid=1", "-o", "out", "--home", "/h", "--context", "."]), max_size=5),
    where=st.integers(min_value=0, max_value=5),
    command=st.sampled_from([[], ["compile"], ["parse"], ["check-dags"], ["build"]]),
)
def test_a_nul_byte_in_any_argument_is_one_line_and_exit_2(project, monkeypatch, words, where, command) -> None:
    monkeypatch.chdir(project)
    words = list(words)
    words.insert(min(where, len(words)), "a\0b")
    code, out, err = run_cli(command + words)
    assert (code, out) == (2, b"")
    assert err.startswith("pyenvc: error: argument ") and "has a NUL byte" in err and err.count("\n") == 1, err
    assert not (project / "out").exists()


@pytest.mark.parametrize(("uid", "code"), [(0, 0), (MAX_UID, 0), (MAX_UID + 1, 2), (2**64, 2)])
def test_uid_bounds_on_the_command_line(project, monkeypatch, uid: int, code: int) -> None:
    monkeypatch.chdir(project)
    got, out, err = run_cli(["Dockerfile", f"--uid={uid}", "--home=/h", "--user=u"])
    assert got == code, err
    assert (b"USER" in out) if code == 0 else ("from 0 to 2147483647" in err and err.count("\n") == 1)


def test_a_control_character_in_a_file_name_keeps_the_error_on_one_line(project, monkeypatch) -> None:
    monkeypatch.chdir(project)
    code, _, err = run_cli(["Dockerfile", "--context=no\nsuch\rdir"])
    assert code == 2 and err.count("\n") == 1 and "no\\nsuch\\rdir" in err, err
