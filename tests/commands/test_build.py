"""`pyenvc build` without a Docker daemon: how its arguments are split, how the generated file's
lines map back to the source, how Docker's stderr is scanned, and the two cases where Docker must
not run (errors in the Dockerfile; no docker on PATH). The real builds are in
tests/e2e/test_pyenvc_build.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyenvc
from pyenvc.commands import build
from pyenvc.commands.console import UsageError
from pyenvc.syntax.printer import LineMap
from pyenvc.source import Source


# -- splitting the arguments ----------------------------------------------------------------------


def test_docker_arguments_pass_through_unchanged_and_in_order(monkeypatch) -> None:
    monkeypatch.setenv("FROM_ENV", "e")
    monkeypatch.delenv("NOT_SET", raising=False)
    argv = [
        "-t", "app:1", "--tag=app:2", "--build-arg", "A=1", "--build-arg=B=2", "--build-arg", "FROM_ENV",
        "--build-arg", "NOT_SET", "--target", "final", "--platform=linux/amd64", "--progress", "plain",
        "--network", "host", "--no-cache", "--push", "--label", "x=y", "-q", "ctx",
        "--secret", "id=s,src=ctx/s", "-o", "type=local,dest=out",
    ]
    got = build.split(argv)
    assert got.docker == tuple(argv)  # nothing of Docker's removed, moved or rewritten
    assert got.context == "ctx"
    assert got.file is None
    assert got.build_args == {"A": "1", "B": "2", "FROM_ENV": "e"}  # NOT_SET: Docker drops it too
    cmd = build.docker_command("/bin/docker", got, buildx=True)
    assert cmd == ["/bin/docker", "buildx", "build", "-f", "-", *argv]
    assert build.docker_command("docker", got, buildx=False)[:4] == ["docker", "build", "-f", "-"]


@pytest.mark.parametrize(
    "argv, file, docker",
    [
        (["-f", "Dockerfile.pyenv", "."], "Dockerfile.pyenv", ["."]),
        (["--file", "a/b", "."], "a/b", ["."]),
        (["--file=a/b", "."], "a/b", ["."]),
        (["-fa/b", "."], "a/b", ["."]),
        (["-f=a/b", "."], "a/b", ["."]),
        (["-qf", "a/b", "."], "a/b", ["-q", "."]),
        (["-f", "x", "-f", "-", "."], "-", ["."]),  # the last one counts, as in Docker
        (["-f", "-", "-t", "t", "."], "-", ["-t", "t", "."]),
    ],
)
def test_the_dockerfile_is_taken_out(argv, file, docker) -> None:
    got = build.split(argv)
    assert (got.file, list(got.docker), got.context) == (file, docker, ".")


@pytest.mark.parametrize(
    "argv, context",
    [
        (["--target", ".", "ctx"], "ctx"),  # a value that looks like a context is a value
        (["-t", "ctx2", "ctx"], "ctx"),
        (["-ttag", "ctx"], "ctx"),
        (["ctx", "--network", "host"], "ctx"),
        (["--", "-weird-dir"], "-weird-dir"),
        (["--squash", "ctx"], "ctx"),  # a switch takes no value
        (["-"], "-"),
    ],
)
def test_the_context_is_found(argv, context) -> None:
    assert build.split(argv).context == context


def test_pyenvc_options_are_taken_out_and_parsed() -> None:
    got = build.split(
        ["--pyenvc-layout", "inline", "--pyenvc-no-astro", "--pyenvc-user=airflow", "-t", "x", "--pyenvc-uid", "7", "."]
    )
    assert got.docker == ("-t", "x", ".")
    assert got.own == ("--pyenvc-layout", "inline", "--pyenvc-no-astro", "--pyenvc-user", "airflow", "--pyenvc-uid", "7")
    parser, _ = build._own_parser()
    args = parser.parse_args(list(got.own))
    assert (args.layout, args.astro, args.user, args.uid) == ("inline", False, "airflow", 7)


def test_every_lowering_option_of_compile_is_offered() -> None:
    _, takes_value = build._own_parser()
    for option in ("layout", "installer", "user", "uid", "home", "python-flavour", "runtime-image", "format"):
        assert takes_value[f"--pyenvc-{option}"] is True
    assert takes_value["--pyenvc-no-astro"] is False


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "a build context is needed"),
        (["a", "b"], "one build context is needed, got 2: a b"),
        (["--some-new-flag", "v", "ctx"], "write --flag=VALUE"),
        (["-t"], "flag needs an argument: -t"),
        (["--pyenvc-colour", "."], "unknown option --pyenvc-colour"),
        (["--pyenvc-no-astro=1", "."], "takes no value"),
        (["--secret", "src=/x", "."], "invalid --secret 'src=/x'"),  # no id
        (["--secret=id=a b,src=/x", "."], "invalid --secret"),
        (["--secret", "id=netrc,src=/x,evil=1", "."], "invalid --secret"),
        (["--secret", "", "."], "invalid --secret"),
    ],
)
def test_usage_errors(argv, message) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        build.split(argv)


def test_secrets_reach_docker_as_given() -> None:
    argv = ["--secret", "id=netrc,src=/home/me/.netrc", "--secret=id=pip-conf,env=PIP_CONF", "ctx"]
    assert build.split(argv).docker == tuple(argv)


# -- mapping the generated file's lines back ------------------------------------------------------


def _compiled(text: str, **options) -> tuple[str, LineMap]:
    result = pyenvc.compile(text, **options)
    assert result.output is not None and result.line_map is not None, result.diagnostics
    return result.output, result.line_map


def _lines_of(output: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(output.split("\n"), 1) if needle in line]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_generated_lines_map_to_their_pyenv_and_user_lines_to_themselves(layout, eol) -> None:
    text = textwrap.dedent(
        """\
        FROM quay.io/astronomer/astro-runtime:12.1.0-base AS base
        USER root
        # a comment
        PYENV 3.11 good
        USER root
        RUN echo hello \\
          && echo more
        PYENV 3.8 other
        RUN false
        """
    ).replace("\n", eol)
    output, lines = _compiled(text, layout=layout)
    out = output.split("\n")
    for number, line in enumerate(out[:-1], 1):
        source = lines.source_line(number)
        if lines.is_generated(number):
            assert source in (4, 8), (number, line)
        else:
            assert text.split("\n")[source - 1] == line, (number, line)
    # the user's lines, each once, in order
    users = [lines.source_line(n) for n in range(1, len(out)) if not lines.is_generated(n)]
    assert users == [1, 2, 3, 5, 6, 7, 9]
    assert {lines.source_line(n) for n in _lines_of(output, "/.venv/good")} == {4}
    assert {lines.source_line(n) for n in _lines_of(output, "/.venv/other")} == {8}


@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_the_astro_rewrite_maps_to_the_from_it_replaced(layout) -> None:
    text = "FROM quay.io/astronomer/astro-runtime:12.1.0\r\nPYENV 3.11 a\r\nRUN true\r\n"
    output, lines = _compiled(text, layout=layout)
    from_line = output.split("\n").index("FROM quay.io/astronomer/astro-runtime:12.1.0-base\r") + 1
    assert lines.source_line(from_line) == 1 and lines.is_generated(from_line)
    assert lines.source_line(from_line + 1) == 1  # the packages.txt steps that follow it
    run = _lines_of(output, "RUN true")[0]
    assert (lines.source_line(run), lines.is_generated(run)) == (3, False)
    assert lines.source_line(len(output.split("\n")) + 5) is None
    # the venv's own stage starts FROM the -base image too, but comes from the PYENV
    assert {lines.source_line(n) for n in _lines_of(output, "-base AS pyenvc-0-a")} == ({2} if layout == "stages" else set())


@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_a_generated_line_equal_to_a_users_line_is_not_taken_for_it(layout) -> None:
    source = "FROM debian:bookworm-slim\nUSER root\nENV X=1\nPYENV 3.11 a\nRUN b\n"
    output, lines = _compiled(source, layout=layout)
    out = output.split("\n")[:-1]
    users = [n for n, line in enumerate(out, 1) if line == "USER root"]
    assert len(users) >= 2  # the user's, and the generated block's own
    mapped = [(lines.source_line(n), lines.is_generated(n)) for n in users]
    assert sorted(mapped) == [(2, False)] + [(4, True)] * (len(users) - 1)
    kept = [n for n in range(1, len(out) + 1) if not lines.is_generated(n)]
    assert [lines.source_line(n) for n in kept] == [1, 2, 3, 5]
    assert {lines.source_line(n) for n in range(1, len(out) + 1) if lines.is_generated(n)} == {4}
    assert out[0].startswith("# Generated by pyenvc from ")  # made for the first PYENV
    if layout == "inline":  # after the user's `USER root` and an ENV, the block says it again
        assert out[1:6] == ["FROM debian:bookworm-slim", "USER root", "ENV X=1", "# PYENV line 4", "USER root"]
        generated = len(out) - 5
        assert lines.sources == (4, 1, 2, 3) + (4,) * generated + (5,)
        assert lines.generated == (True, False, False, False) + (True,) * generated + (False,)


def test_a_bom_stays_first_and_the_lines_after_it_keep_their_numbers() -> None:
    # the stages layout puts the venv stage first, so the BOM opens a generated line
    output, lines = _compiled("\ufeffFROM alpine\r\nPYENV 3.11 a\r\nRUN true\r\n", layout="stages", uid=1, home="/h")
    assert output.startswith("\ufeff# Generated by pyenvc from Dockerfile: edit that file, not this one.\r\n# PYENV line 2: ")
    assert (lines.source_line(1), lines.is_generated(1)) == (2, True)
    from_line = output.split("\n").index("FROM alpine\r") + 1
    run = output.split("\n").index("RUN true\r") + 1
    assert [(lines.source_line(n), lines.is_generated(n)) for n in (from_line, run)] == [(1, False), (3, False)]


def test_renumbered_stage_references_stay_the_users_lines() -> None:
    source = "FROM debian:bookworm-slim\nPYENV 3.11 a\nFROM debian:bookworm-slim\nCOPY --from=0 \\\n  /a /a\n"
    output, lines = _compiled(source, layout="stages")
    copy = _lines_of(output, "COPY --from=1 \\")[0]  # the venv stage before stage 0 shifts it
    assert (lines.source_line(copy), lines.is_generated(copy)) == (4, False)
    assert (lines.source_line(copy + 1), lines.is_generated(copy + 1)) == (5, False)


# -- scanning Docker's stderr ---------------------------------------------------------------------

BUILDKIT_ERROR = b"""\
#18 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1
------
 > [base 11/11] RUN false:
------
\x1b[0mDockerfile:37\r
--------------------
  36 |     USER astro
  37 | >>> RUN false
--------------------
Dockerfile:5-7
ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1
"""


def test_the_scanner_finds_references_across_chunks() -> None:
    scanner = build.Scanner()
    for k in range(0, len(BUILDKIT_ERROR), 7):  # chunks cut lines anywhere
        scanner.feed(BUILDKIT_ERROR[k : k + 7])
    scanner.close()
    assert scanner.references == [37, 5]
    assert scanner.steps == ["RUN false"]


def test_explain_names_the_source_line() -> None:
    text = "FROM quay.io/astronomer/astro-runtime:12.1.0-base\nPYENV 3.11 tools\nRUN false\n"
    output, lines = _compiled(text, layout="inline")
    pip = _lines_of(output, "/usr/local/bin/uv venv")[0]
    run = _lines_of(output, "RUN false")[0]
    scanner = build.Scanner()
    scanner.feed(f"Dockerfile:{pip}\nDockerfile:{run}\n".encode())
    messages = build.explain(scanner, lines, Source(text, "Dockerfile.pyenv"), output)
    assert messages == [
        f"Dockerfile.pyenv:2: note: Docker's Dockerfile:{pip} was generated from this line\n  |\n2 | PYENV 3.11 tools\n  |",
        f"Dockerfile.pyenv:3: note: Docker's Dockerfile:{run} is this line\n  |\n3 | RUN false\n  |",
    ]
    # without an excerpt, the failed step's header is looked up in the generated file
    scanner = build.Scanner()
    scanner.feed(b" > [base 3/3] RUN false:\n")
    assert build.explain(scanner, lines, Source(text, "D"), output)[0].startswith(f"D:3: note: Docker's Dockerfile:{run}")


# -- where Docker must not run --------------------------------------------------------------------


def _pyenvc(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyenvc", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _fake_docker(tmp_path: Path) -> tuple[Path, Path]:
    """A `docker` that only records that it was called (for proving it was NOT called)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "docker-calls"
    fake = bin_dir / "docker"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\ncat > /dev/null\nexit 0\n')
    fake.chmod(0o755)
    return bin_dir, calls


def test_diagnostics_stop_the_build_before_docker_runs(tmp_path) -> None:
    bin_dir, calls = _fake_docker(tmp_path)
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM python:3.12-slim-bookworm\nPYENV 2.7 old\nPYENV 3.11 new missing.txt\n")
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    proc = _pyenvc(["build", "-t", "x", "ctx"], env, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "ctx/Dockerfile:2:7: error[PYENV011]" in proc.stderr  # rendered as `pyenvc compile` does
    assert "error[PYENV018]" in proc.stderr  # the context is CONTEXT: missing.txt is not in it
    assert "ctx/Dockerfile: 2 errors, nothing written" in proc.stderr
    assert not calls.exists()  # docker never ran
    # the same fake is called once the file is fixed (so the check above can tell)
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM python:3.12-slim-bookworm\nPYENV 3.11 new\n")
    proc = _pyenvc(["build", "-t", "x", "ctx"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text().split() == ["buildx", "build", "-f", "-", "-t", "x", "ctx"] or calls.read_text().split() == [
        "build", "-f", "-", "-t", "x", "ctx"
    ]


def test_docker_missing_is_one_line_and_exit_2(tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim-bookworm\nPYENV 3.11 new\n")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    proc = _pyenvc(["build", "."], dict(os.environ, PATH=str(empty)), tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("pyenvc: error: docker not found on PATH")


def test_usage_problems_exit_2(tmp_path) -> None:
    proc = _pyenvc(["build", "-t", "x"], dict(os.environ), tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "pyenvc: error: a build context is needed, e.g. `pyenvc build .`\n")
    proc = _pyenvc(["build", "no-such-dir"], dict(os.environ), tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "pyenvc: error: build context no-such-dir is not a directory\n")
    proc = _pyenvc(["build", "--help"], dict(os.environ), tmp_path)
    assert proc.returncode == 0 and "--pyenvc-layout" in proc.stdout


def _recording_docker(tmp_path: Path) -> tuple[Path, Path]:
    """A `docker` that keeps the Dockerfile it is given on stdin."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    given = tmp_path / "docker-stdin"
    fake = bin_dir / "docker"
    fake.write_text(f"#!/bin/sh\ncat > {given}\nexit 0\n")
    fake.chmod(0o755)
    return bin_dir, given


def test_dockerfile_pyenv_is_the_default_source_and_a_stale_dockerfile_is_said(tmp_path) -> None:
    bin_dir, given = _recording_docker(tmp_path)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    source = "FROM apache/airflow:2.10.5\nPYENV 3.11 new\n"  # known: no PYENV102
    (ctx / "Dockerfile.pyenv").write_text(source)
    generated = pyenvc.compile(source, path="ctx/Dockerfile.pyenv", context=str(ctx)).output
    assert generated is not None

    # No Dockerfile beside it: Dockerfile.pyenv is compiled, nothing to be stale.
    proc = _pyenvc(["build", "ctx"], env, tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert given.read_text() == generated

    # The generated Dockerfile up to date: no word.
    (ctx / "Dockerfile").write_text(generated)
    proc = _pyenvc(["build", "ctx"], env, tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")

    # Dockerfile.pyenv changed since: the build uses it, and says the Dockerfile is stale.
    (ctx / "Dockerfile.pyenv").write_text(source + "ENV X=1\n")
    proc = _pyenvc(["build", "ctx"], env, tmp_path)
    assert proc.returncode == 0
    assert given.read_text().endswith("ENV X=1\n")
    assert proc.stderr == (
        "pyenvc: warning: ctx/Dockerfile is stale: it differs from what ctx/Dockerfile.pyenv generates "
        "(this build uses ctx/Dockerfile.pyenv); run `pyenvc ctx/Dockerfile.pyenv -o ctx/Dockerfile` to update it\n"
    )

    # Without Dockerfile.pyenv, CONTEXT/Dockerfile is the source, as before.
    (ctx / "Dockerfile.pyenv").unlink()
    (ctx / "Dockerfile").write_text(source)
    proc = _pyenvc(["build", "ctx"], env, tmp_path)
    assert (proc.returncode, proc.stderr, given.read_text()) == (0, "", pyenvc.compile(source, path="ctx/Dockerfile", context=str(ctx)).output)
