"""DAG008 and DAG009: DAG files against Airflow's own Python, venv functions against their venv's.

In: the DAG files that the running Python parsed (their `Source` and `ast` tree), Airflow's X.Y
(or None), and each venv function with its venv's X.Y. Out: the diagnostics, and what could not
be checked (for the summary).

- DAG008: Airflow imports every DAG file with its own interpreter; syntax newer than it (a `match`
  on Airflow's Python 3.9) is an import error there, though the file parses here.
- DAG009: the venv compiles the function's source as Airflow's script holds it: dedented, after
  `from __future__ import annotations` (provider/source.py, python_virtualenv_script.jinja2).
  Syntax newer than the venv's Python is a SyntaxError when the task runs.

Each X.Y is asked once, for all its texts (other_python.py runs the real interpreter).
"""

from __future__ import annotations

import ast
import os
import re
import textwrap
from typing import NamedTuple, Optional, Sequence, Union

from pyenvc.dags import other_python
from pyenvc.diagnostics import Diagnostic
from pyenvc.source import Source, Span

__all__ = ["VenvFunction", "airflow_python_from_image", "check_airflow", "check_venvs"]

# The script's first line: the source sent to the venv compiles after it.
_PRELUDE = "from __future__ import annotations\n"
_TAG_PYTHON = re.compile(r"-python-?(3\.[0-9]{1,2})(?:-base)?\Z")


def airflow_python_from_image(image: Optional[str]) -> Optional[str]:
    """`3.11` for `apache/airflow:2.10.5-python3.11` or `astro-runtime:12.1.0-python-3.11`."""
    if not image or ":" not in image.rsplit("/", 1)[-1]:
        return None
    tag = image.rsplit("/", 1)[-1].split(":", 1)[1].split("@", 1)[0]
    match = _TAG_PYTHON.search(tag)
    return match.group(1) if match else None


def _at(source: Source, problem: other_python.SyntaxProblem, line_shift: int = 0, column_shift: int = 0) -> Span:
    line = max(1, min((problem.line or 1) + line_shift, len(source.line_starts)))
    text = source.line_text(line)
    column = max(1, min((problem.column or 1) + column_shift, len(text) + 1))
    offset = source.offset(line, column)
    return Span(offset, offset)


def check_airflow(files: Sequence[Source], version: str, origin: str) -> tuple[list[Diagnostic], Optional[str]]:
    """DAG008 for each DAG file (its Source; the file is read again by the interpreter) that
    CPython `version` cannot compile; `origin` says where the version came from. Returns the
    diagnostics and, when it could not check, why."""
    try:
        problems = other_python.syntax_problems(version, [_item(source) for source in files])
    except other_python.Unavailable as error:
        return [], f"the syntax check against Airflow's Python {version} ({error})"
    found = []
    for source, problem in zip(files, problems):
        if problem is None:
            continue
        found.append(Diagnostic.at(
            source, _at(source, problem), "DAG008",
            f"Airflow's Python {version} ({origin}) cannot parse {source.path}: {problem.message}",
            f"rewrite it in syntax Python {version} knows: Airflow parses the whole file with its own Python,"
            " venv tasks' functions included (or build on an image with a newer Python)",
        ))
    return found, None


def _item(source: Source) -> tuple[str, str]:
    """A regular file is read again by the interpreter (as bytes, as Airflow imports it); anything
    else (a pipe) cannot be read twice, so its text is sent."""
    try:
        regular = os.path.isfile(source.path)
    except (OSError, ValueError):
        regular = False
    return other_python.file(source.path) if regular else other_python.text(source.text)


class VenvFunction(NamedTuple):
    source: Source  # the DAG file
    function: Union[ast.FunctionDef, ast.AsyncFunctionDef]
    venv: str
    version: str  # the venv's X.Y


def _sent(source: Source, function: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> tuple[str, int]:
    """The function's text as the venv compiles it (from its `def` line, dedented; the task
    decorators the provider removes are left out, the rest do not change what parses), and the
    indentation removed."""
    lines = [source.line_text(n) + "\n" for n in range(function.lineno, (function.end_lineno or function.lineno) + 1)]
    text = textwrap.dedent("".join(lines))
    first = lines[0]
    return _PRELUDE + text, len(first) - len(first.lstrip())


def check_venvs(functions: Sequence[VenvFunction]) -> tuple[list[Diagnostic], list[str], list[str]]:
    """DAG009 for each venv function that its venv's CPython cannot compile; the versions that
    could not be asked, as summary notes; and those that were."""
    found: list[Diagnostic] = []
    skipped: list[str] = []
    asked: list[str] = []
    for version in sorted({f.version for f in functions}, key=lambda v: int(v.split(".")[1])):
        these = [f for f in functions if f.version == version]
        sent = [_sent(f.source, f.function) for f in these]
        try:
            problems = other_python.syntax_problems(version, [other_python.text(text) for text, _ in sent])
        except other_python.Unavailable as error:
            skipped.append(f"the syntax check of venv functions against Python {version} ({error})")
            continue
        asked.append(version)
        for item, (_, indent), problem in zip(these, sent, problems):
            if problem is None:
                continue
            found.append(Diagnostic.at(
                item.source, _at(item.source, problem, item.function.lineno - 2, indent), "DAG009",
                f"the venv '{item.venv}' (Python {version}) cannot parse {item.function.name}(): {problem.message}",
                f"write {item.function.name}() for Python {version}, or give the venv a newer Python in its PYENV line",
            ))
    return found, skipped, asked
