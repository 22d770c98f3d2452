"""`pyenvc check-dags DOCKERFILE PATH...`: the command around dags/check.py's analysis.

In: argv (without the command word). Out: the findings on stdout (they are this command's
output, as ruff's and mypy's are), one-line usage and I/O errors on stderr, and the exit code:
0 ok (warnings allowed), 1 errors found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from pyenvc.commands.console import ArgumentParser, UsageError, build_arg, color, encode, guarded, write_stdout
from pyenvc.commands.files import read_input
from pyenvc.dags import other_python
from pyenvc.dags.check import Report, UnknownTarget, check
from pyenvc.diagnostics import render_text

PROG = "pyenvc check-dags"


def _arguments() -> ArgumentParser:
    parser = ArgumentParser(
        prog=PROG,
        description="Check that every venv a DAG names (@task.venv, VenvOperator) has a PYENV line in the "
        "image's stages (the target stage and those it is built FROM), and that each of those PYENVs is used. "
        "DAG files are read, never run.",
        epilog="Exit codes: 0 ok (warnings allowed), 1 errors found, 2 usage or I/O error.",
    )
    parser.add_argument("dockerfile", metavar="DOCKERFILE", help="the Dockerfile with PYENV lines; - for stdin")
    parser.add_argument("paths", metavar="PATH", nargs="+", help="DAG files, or folders searched for *.py")
    parser.add_argument("--target", metavar="NAME", help="the stage that is the image (default: the last stage)")
    parser.add_argument("--build-arg", metavar="K=V", action="append", default=[], type=build_arg,
                        help="an ARG value for resolving FROM (repeatable)")
    parser.add_argument("--airflow-python", metavar="X.Y", type=_python_version,
                        help="Airflow's own Python, for the syntax check of the DAG files "
                        "(default: the base image tag's -pythonX.Y suffix; without either the check is skipped)")
    parser.add_argument("--format", default="text", choices=("text", "json"), help="findings for people or machines")
    return parser


def _python_version(text: str) -> str:
    if other_python.VERSION.match(text) is None:
        raise argparse.ArgumentTypeError(f"not a Python 3 X.Y version such as 3.12: {text!r}")
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _output(report: Report, fmt: str) -> str:
    diagnostics = report.diagnostics
    if fmt == "json":
        return json.dumps([d.to_json() for d in diagnostics], indent=2) + "\n"
    tinted = color(sys.stdout)
    parts = [render_text(d, report.sources[d.path], color=tinted) for d in diagnostics]
    errors = sum(1 for d in diagnostics if d.is_error)
    counts = f"{_plural(errors, 'error')}, {_plural(len(diagnostics) - errors, 'warning')}" if diagnostics else "no findings"
    parts.append(f"{counts}: {report.summary}")
    return "\n".join(parts) + "\n"


def run(argv: Sequence[str]) -> int:
    """`pyenvc check-dags DOCKERFILE PATH... [--target NAME] [--build-arg K=V]... [--format
    text|json] [--airflow-python X.Y]`: argv without the command word. Prints the findings on stdout; returns the exit
    code (never raises)."""
    return guarded(lambda: _run(argv))


def _run(argv: Sequence[str]) -> int:
    args = _arguments().parse_args(list(argv))
    text = read_input(args.dockerfile)
    display = "<stdin>" if args.dockerfile == "-" else args.dockerfile
    try:
        report = check(text, display, args.paths, args.target, dict(args.build_arg), args.airflow_python)
    except UnknownTarget as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        name = error.filename if error.filename is not None else "a DAG file"
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None
    write_stdout(encode(_output(report, args.format)))
    return 1 if any(d.is_error for d in report.diagnostics) else 0
