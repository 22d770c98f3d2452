"""Diagnostics as data: the code registry, the Diagnostic record, and its two renderings.

Problems are collected, never raised one at a time. A Diagnostic carries its position both as
1-based line and column (for people and the library API) and, when it has one, as a Span of
0-based offsets (for the excerpt and caret).
"""

from __future__ import annotations

import json
from typing import Iterable

import attrs

from pyenvc.syntax.source import Source
from pyenvc.syntax.tree import Span

ERROR = "error"
WARNING = "warning"

# Every code, once, with what it means. Codes are stable and never reused; the README's table
# is generated from this registry (see tests/test_diagnostics_doc.py).
CODES: dict[str, str] = {
    # Dockerfile syntax: what BuildKit's own parser rejects.
    "DF001": "the file has no instructions",
    "DF002": "a heredoc has no terminator line",
    "DF003": "a parser directive is given twice",
    "DF004": "the escape directive names a character other than \\ or `",
    "DF005": "a line is longer than BuildKit's limit of 65535 bytes",
    "DF006": "ENV or LABEL has a name but no value",
    "DF007": "ENV or LABEL mixes `name=value` with a word that has no `=`",
    "DF008": "a JSON (exec form) array holds something other than strings",
    "DF009": "the shell-style quoting of a heredoc delimiter is broken",
    "DF010": "the scanner's tokens do not fit the grammar: a bug in pyenvc, to be reported",
    # PYENV instructions: errors (exit 1, nothing written).
    "PYENV001": "PYENV comes before the first FROM",
    "PYENV002": "PYENV is used as an ONBUILD trigger",
    "PYENV003": "PYENV is written in JSON (exec) form",
    "PYENV004": "PYENV has a heredoc",
    "PYENV005": "a PYENV word holds a variable; PYENV words are not expanded",
    "PYENV006": "PYENV has too few arguments",
    "PYENV007": "PYENV has too many arguments",
    "PYENV008": "PYENV has an unknown flag",
    "PYENV009": "a PYENV flag is malformed, repeated or has a value it does not accept",
    "PYENV010": "the Python version is empty or malformed",
    "PYENV011": "the Python version is Python 2, which has no venv module",
    "PYENV012": "no official Python image exists for this version and flavour",
    "PYENV013": "the venv name has characters other than letters, digits, `_` and `-`",
    "PYENV014": "the same venv name is used twice in one stage",
    "PYENV015": "the requirements path is absolute",
    "PYENV016": "the requirements path leaves the build context",
    "PYENV017": "the requirements path has glob characters, white space or quotes",
    "PYENV018": "the requirements file is missing from the build context (or .dockerignore excludes it)",
    "PYENV019": "requirements.txt pins apache-airflow, which an Astro Runtime project must not do",
    "PYENV020": "one stage takes the same Python X.Y from two different images",
    "PYENV021": "the installer is not available yet (no longer reported: pip and uv both are)",
    "PYENV022": "a value would not reach the generated Dockerfile as written (BuildKit or the shell would read it differently)",
    # Warnings (exit 0).
    "PYENV101": "the Python version is past its end of life",
    "PYENV102": "the base image is not recognised; the runtime user, home and flavour are defaults",
    "PYENV103": "the interpreter flavour was chosen from a build argument's compile-time value",
    "PYENV104": "an Astro Runtime project file (packages.txt, requirements.txt) is missing",
    "PYENV105": "the stages layout builds a venv inline: an instruction before it may change the files it is built on",
    # `pyenvc check-dags`: DAG files read against the Dockerfile's PYENVs.
    "DAG001": "a task names a venv that no PYENV in the Dockerfile declares",
    "DAG002": "a PYENV declares a venv that no task in the DAG files uses (warning)",
    "DAG003": "a DAG file cannot be read as Python source (syntax error or bad encoding)",
}


@attrs.frozen
class Diagnostic:
    code: str  # a key of CODES
    severity: str  # ERROR or WARNING
    message: str  # lower-case, quotes the offending text, says what was expected
    hint: str | None  # starts with a verb; None when there is nothing to suggest
    line: int  # 1-based
    column: int  # 1-based, in characters
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def at(
        cls,
        source: Source,
        span: Span,
        code: str,
        message: str,
        hint: str | None = None,
        severity: str = ERROR,
    ) -> Diagnostic:
        if code not in CODES:
            raise KeyError(f"unregistered diagnostic code {code}")
        position = source.position(span.start)
        return cls(code, severity, message, hint, position.line, position.column, span)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_json(self, path: str) -> dict:
        return {
            "file": path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def _display_width(text: str) -> int:
    return len(text.expandtabs(8))


def _printable(text: str) -> str:
    """Bytes that are not UTF-8 (kept as surrogates when the file was read) shown as `\\xff`."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def render_text(diagnostic: Diagnostic, source: Source, *, color: bool = False) -> str:
    """`FILE:LINE:COL: error[CODE]: message`, the source line with a caret, then `help:`."""
    bold, red, yellow, blue, reset = (
        ("\033[1m", "\033[31m", "\033[33m", "\033[34m", "\033[0m") if color else ("",) * 5
    )
    tint = red if diagnostic.is_error else yellow
    lines = [
        f"{bold}{source.path}:{diagnostic.line}:{diagnostic.column}: "
        f"{tint}{diagnostic.severity}[{diagnostic.code}]{reset}{bold}: {_printable(diagnostic.message)}{reset}"
    ]
    if 1 <= diagnostic.line <= len(source.line_starts):
        text = source.line_text(diagnostic.line)
        prefix = text[: diagnostic.column - 1]
        width = 1
        if diagnostic.span is not None:
            end = source.position(diagnostic.span.end)
            stop = end.column - 1 if end.line == diagnostic.line else len(text)
            width = max(1, _display_width(text[:stop]) - _display_width(prefix))
        gutter = str(diagnostic.line)
        pad = " " * len(gutter)
        shown = _printable(text.expandtabs(8))
        lines.append(f"{blue}{pad} |{reset}")
        lines.append(f"{blue}{gutter} |{reset} {shown}")
        caret = " " * _display_width(prefix) + "^" * width
        lines.append(f"{blue}{pad} |{reset} {tint}{caret}{reset}")
    if diagnostic.hint:
        lines.append(f"{bold}help{reset}: {diagnostic.hint}")
    return "\n".join(lines)


def render_json(diagnostics: Iterable[Diagnostic], path: str) -> str:
    return json.dumps([d.to_json(path) for d in diagnostics], indent=2)


# The codes reported as warnings (exit 0); every other code is an error.
WARNING_CODES = frozenset({"PYENV101", "PYENV102", "PYENV103", "PYENV104", "PYENV105", "DAG002", "DAG003"})


def severity_of(code: str) -> str:
    """The severity a code is reported with."""
    return WARNING if code in WARNING_CODES else ERROR


def markdown_table() -> str:
    """The README's table of every code, generated from CODES (checked by a test)."""
    rows = ["| code | severity | meaning |", "| --- | --- | --- |"]
    for code, meaning in CODES.items():
        cell = meaning.replace("|", "\\|")
        rows.append(f"| `{code}` | {severity_of(code)} | {cell} |")
    return "\n".join(rows) + "\n"
