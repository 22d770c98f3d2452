"""Whether another CPython X.Y can compile some sources: Airflow's own Python for the DAG files,
a venv's Python for its task's function.

In: an X.Y version and the texts. Out: for each text, None or the SyntaxError that CPython X.Y
gives (line, column, message); or `Unavailable` saying why it could not be asked.

`ast.parse(feature_version=...)` is not the real thing: it goes down to 3.7 only, parses with the
running Python's grammar, and misses what older grammars reject (parenthesised context managers
on 3.8, ...) and what only the compiler rejects (`from __future__ import annotations` on 3.6).
So the real interpreter is run: the running one when it is X.Y, else pyenv's newest build of X.Y
(`$PYENV_ROOT/versions/X.Y.*`; without PYENV_ROOT `~/.pyenv`, else `pyenv root`), else
`pythonX.Y` on PATH. One process
compiles every text and file (`compile(..., dont_inherit=True)`, nothing is run), with `-I -S`
so that no site or user configuration is read; the texts and paths go in on stdin as JSON, the
answers come out on stdout. Starting it costs some tens of milliseconds per version, whatever the number of files.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
from typing import NamedTuple, Optional, Sequence

__all__ = ["SyntaxProblem", "Unavailable", "file", "find_python", "syntax_problems", "text", "VERSION"]

VERSION = re.compile(r"3\.([0-9]{1,2})\Z")  # ASCII digits (`\d` takes any script's)

# Runs on any CPython 3.6 and later: no walrus, no newer library.
_CHILD = """\
import json, sys
out = []
for kind, item in json.load(sys.stdin):
    try:
        if kind == "path":
            with open(item, "rb") as f:
                item = f.read()
        compile(item, "<dag>", "exec", dont_inherit=True)
        out.append(None)
    except SyntaxError as error:
        out.append([error.lineno, error.offset, error.msg or str(error)])
    except (ValueError, MemoryError, RecursionError, OSError) as error:
        out.append([None, None, str(error) or type(error).__name__])
json.dump(out, sys.stdout)
"""


class SyntaxProblem(NamedTuple):
    line: Optional[int]  # 1-based, as the interpreter says (None when it does not)
    column: Optional[int]  # 1-based
    message: str


class Unavailable(Exception):
    """CPython X.Y could not be asked: the message says why."""


def _pyenv_root() -> Optional[str]:
    """$PYENV_ROOT, else ~/.pyenv, else what `pyenv root` says (asked only then: it is a process)."""
    if os.environ.get("PYENV_ROOT"):
        return os.environ["PYENV_ROOT"]
    home = os.path.join(os.path.expanduser("~"), ".pyenv")
    if os.path.isdir(os.path.join(home, "versions")):
        return home
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    try:
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    root = done.stdout.strip()
    return root if done.returncode == 0 and os.path.isabs(root) else None


def find_python(version: str) -> Optional[str]:
    """The path of a CPython `version` (X.Y) interpreter, or None when there is none here."""
    if VERSION.match(version) is None:
        raise ValueError(f"not a Python 3 X.Y version: {version!r}")
    if version == f"{sys.version_info[0]}.{sys.version_info[1]}" and sys.implementation.name == "cpython":
        return sys.executable
    builds = []
    root = _pyenv_root()
    for folder in glob.glob(os.path.join(glob.escape(root), "versions", f"{version}.*")) if root else ():
        patch = os.path.basename(folder)[len(version) + 1:]
        executable = os.path.join(folder, "bin", f"python{version}")
        if patch.isascii() and patch.isdigit() and os.access(executable, os.X_OK):  # int() of "²" fails
            builds.append((int(patch), executable))
    if builds:
        return max(builds)[1]
    found = shutil.which(f"python{version}")
    if found is not None and "shims" not in found.split(os.sep):  # pyenv's shims may name no build
        return found
    return None


def text(source: str) -> tuple[str, str]:
    """An item for `syntax_problems`: source text."""
    return ("text", source)


def file(path: str) -> tuple[str, str]:
    """An item for `syntax_problems`: a file, read as bytes by the interpreter, so that its coding
    declaration counts, as when Airflow imports it."""
    return ("path", path)


def syntax_problems(version: str, items: Sequence[tuple[str, str]], timeout: float = 120.0) -> list[Optional[SyntaxProblem]]:
    """What CPython `version` says of each item (`text(...)` or `file(...)`): None when it
    compiles. Raises Unavailable."""
    if not items:
        return []
    python = find_python(version)
    if python is None:
        raise Unavailable(f"no Python {version} found (pyenv's versions, or python{version} on PATH)")
    payload = json.dumps([list(item) for item in items], ensure_ascii=True).encode("ascii")
    try:
        done = subprocess.run(
            [python, "-I", "-S", "-c", _CHILD], input=payload, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise Unavailable(f"Python {version} ({python}) could not be run: {error}") from None
    try:
        answers = json.loads(done.stdout.decode("utf-8", "replace")) if done.returncode == 0 else None
    except ValueError:
        answers = None
    if not isinstance(answers, list) or len(answers) != len(items):
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no answer"]
        raise Unavailable(f"Python {version} ({python}) failed: {last[0]}")
    return [None if a is None else SyntaxProblem(a[0], a[1], str(a[2])) for a in answers]
