"""A generated line BuildKit would refuse (over 65535 bytes) is a compile-time error, PYENV022, at
the user's word that made it long; never an output BuildKit cannot read. One test per way a
generated line can grow past the limit from lines that are each within it, and a sweep across
the limit for each: either an error, or an output whose every line BuildKit reads."""

from __future__ import annotations

import pytest

import pyenvc
from support import run_cli
from pyenvc.syntax.emitter import MAX_LINE_BYTES

UNKNOWN = dict(user="u", uid=1, home="/h")  # an image pyenvc does not know, without PYENV102
RUNTIME = "FROM quay.io/astronomer/astro-runtime:12.1.0"
HALF = "x" * 40000


def long_line_error(text: str, **options) -> pyenvc.Diagnostic:
    result = pyenvc.compile(text, **{**UNKNOWN, **options})
    assert result.output is None, "an output with a line BuildKit refuses"
    (d,) = [d for d in result.diagnostics if d.is_error]
    assert d.code == "PYENV022" and "longer than BuildKit's limit of 65535" in d.message, d
    return d


def readable(output: str) -> bool:
    """Every line within BuildKit's limit, and the whole parses as BuildKit's parser would."""
    pyenvc.parse(output)
    return all(len(line.encode("utf-8", "surrogateescape")) <= MAX_LINE_BYTES for line in output.split("\n"))


@pytest.mark.parametrize("keyword", ["ENV", "ARG"])
def test_a_continued_arg_or_env_carried_into_a_venv_stage(keyword: str) -> None:
    """The stages layout declares the stage's ARG and ENV again in the venv stage, as one line."""
    text = f"FROM debian\n{keyword} A={HALF} \\\n  B={HALF}\nPYENV 3.11 a\n"
    d = long_line_error(text, layout="stages")
    assert (d.line, d.column) == (2, 7)  # the first large value
    assert d.hint.startswith(f"split it into several {keyword} instructions")
    assert readable(pyenvc.compile(text, **UNKNOWN, layout="inline").output)  # inline: nothing is carried


def test_the_astro_base_tag_on_a_full_from_line() -> None:
    pad = " " * (MAX_LINE_BYTES - len(RUNTIME) - 2)
    d = long_line_error(f"{RUNTIME} {pad}\nPYENV 3.11 a\n", user=None, uid=None, home=None)
    assert (d.line, d.column) == (1, 6)  # the image that gets `-base`


def test_a_venv_name_repeated_in_one_generated_line() -> None:
    d = long_line_error(f"FROM debian\nPYENV 3.11 {'v' * 33000}\n")
    assert (d.line, d.column) == (2, 12)


def test_a_requirements_path_in_the_copy_line() -> None:
    d = long_line_error(f"FROM debian\nPYENV 3.11 a {'r' * (MAX_LINE_BYTES - 30)}\n")
    assert (d.line, d.column) == (2, 14)


def test_a_from_flag_in_the_venv_stage() -> None:
    flag = "p" * (MAX_LINE_BYTES - len("FROM --platform= debian"))
    d = long_line_error(f"FROM --platform={flag} debian\nPYENV 3.11 a\n", layout="stages")
    assert (d.line, d.column) == (1, 6)


def test_a_stage_reference_given_another_digit() -> None:
    stages = "".join(f"FROM debian AS s{i}\nRUN x\n" for i in range(10))
    copy = "COPY --from=9 a b"
    text = f"FROM debian\nPYENV 3.11 a\n{stages}FROM debian\nCOPY --from=9 a b{' ' * (MAX_LINE_BYTES - len(copy))}\n"
    d = long_line_error(text, layout="stages")
    assert (d.line, d.column) == (24, 1)
    assert readable(pyenvc.compile(text, **UNKNOWN, layout="inline").output)  # no venv stage: no renumbering


def test_an_option_makes_it_long_then_the_pyenv_is_named() -> None:
    d = long_line_error("FROM debian\nPYENV 3.11 a\n", home="/" + "h" * 30000)
    assert (d.line, d.column) == (2, 1)
    assert d.hint.startswith("shorten it")


@pytest.mark.parametrize(
    "make",
    [
        lambda n: (f"FROM debian\nENV A={'x' * 30000} \\\n  B={'y' * n}\nPYENV 3.11 a\n", dict(layout="stages")),
        lambda n: (f"{RUNTIME}{' ' * n}\nPYENV 3.11 a\n", dict(user=None, uid=None, home=None)),
        lambda n: (f"FROM debian\nPYENV 3.11 a {'r' * n}\n", {}),
        lambda n: (f"FROM debian\nPYENV 3.11 {'v' * (n // 2)}\n", {}),
        lambda n: (f"FROM --platform={'p' * n} debian\nPYENV 3.11 a\n", dict(layout="stages")),
    ],
    ids=["carried-env", "astro-base", "requirements", "venv-name", "from-flag"],
)
def test_across_the_limit_an_error_or_a_readable_output(make) -> None:
    errors = outputs = 0
    for n in _sizes():
        text, options = make(n)
        if any(len(line.encode()) > MAX_LINE_BYTES for line in text.split("\n")):
            continue  # the input itself is BuildKit's DF005
        result = pyenvc.compile(text, **{**UNKNOWN, **options})
        if result.output is None:
            assert [d.code for d in result.diagnostics if d.is_error] == ["PYENV022"], (n, result.diagnostics)
            errors += 1
        else:
            assert readable(result.output), n
            outputs += 1
    assert errors and outputs  # the sweep crossed the limit


def _sizes() -> list[int]:
    """Sizes around each place a line can cross the limit: the input's own, and generated
    lines that repeat a value once, twice or more, plus prefixes of any length up to ~200."""
    return sorted({max(1, base - d) for base in (MAX_LINE_BYTES, MAX_LINE_BYTES - 30000, MAX_LINE_BYTES // 2)
                   for d in range(0, 270, 9)} | {32000, 33000, 40000})


def test_command_line_exits_1_and_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(f"FROM debian\nENV A={HALF} \\\n  B={HALF}\nPYENV 3.11 a\n")
    code, out, err = run_cli(["Dockerfile", "-o", "out", "--layout", "stages", "--user", "u", "--uid", "1", "--home", "/h"])
    assert (code, out) == (1, b"")
    assert not (tmp_path / "out").exists()
    assert err.startswith("Dockerfile:2:7: error[PYENV022]: ")


def test_a_file_name_too_long_for_any_file_system_is_cut_in_the_generated_comment() -> None:
    """The generated-file comment names the file: a path given to compile() is not bounded."""
    result = pyenvc.compile("FROM debian\nPYENV 3.11 a\n", path="x" * 70000 + ".pyenv", **UNKNOWN)
    assert readable(result.output)
    assert "# Generated by pyenvc from " + "x" * 255 + "...: edit" in result.output
