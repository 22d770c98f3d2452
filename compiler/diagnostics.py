"""Diagnostics as data: the code registry, the Diagnostic record, and its two renderings.

Problems are collected, never raised one at a time. The registry gives each code its severity
and meaning, once: a Diagnostic takes its severity from there (`Diagnostic.at`), and one that
contradicts the registry cannot be made. A Diagnostic carries its file (`path`), its position
both as 1-based line and column (for people and the library API) and, when it has one, as a
Span of 0-based offsets (for the excerpt and caret).
"""

from __future__ import annotations

import json
import re
from typing import Iterable, NamedTuple

import attrs

from pyenvc.source import Source, Span

ERROR = "error"
WARNING = "warning"


class Code(NamedTuple):
    """A diagnostic code's entry in the registry."""

    severity: str  # ERROR or WARNING: every diagnostic with this code has it
    summary: str  # what the code means, for the README's table
    retired: bool = False  # no longer reported; kept so that the code is never reused


# Every code, once, with its severity and what it means. Codes are stable and never reused (a
# code whose rule changed is retired and a new one takes its place); the README's table is
# generated from this registry (see tests/test_diagnostics_doc.py).
CODES: dict[str, Code] = {
    # Dockerfile syntax: what BuildKit's own parser rejects.
    "DF001": Code(ERROR, "the file has no instructions"),
    "DF002": Code(ERROR, "a heredoc has no terminator line"),
    "DF003": Code(ERROR, "a parser directive is given twice"),
    "DF004": Code(ERROR, "the escape directive names a character other than \\ or `"),
    "DF005": Code(ERROR, "a line is longer than BuildKit's limit of 65535 bytes"),
    "DF006": Code(ERROR, "ENV or LABEL has a name but no value"),
    "DF007": Code(ERROR, "ENV or LABEL mixes `name=value` with a word that has no `=`"),
    "DF008": Code(ERROR, "a JSON (exec form) array holds something other than strings"),
    "DF009": Code(ERROR, "the shell-style quoting of a heredoc delimiter is broken"),
    "DF010": Code(ERROR, "the scanner's tokens do not fit the grammar: a bug in pyenvc, to be reported"),
    "DF011": Code(ERROR, "the file is UTF-16 or UTF-32 text; Docker reads a Dockerfile as UTF-8"),
    "DF012": Code(ERROR, "an instruction BuildKit does not know (a typo such as PYEVN or RUNN)"),
    "DF101": Code(WARNING, "an instruction BuildKit does not know, in a file whose `# syntax=` frontend may add instructions"),
    "DF102": Code(WARNING, "an ONBUILD trigger BuildKit does not know: images built FROM this one fail"),
    # PYENV instructions: errors (exit 1, nothing written).
    "PYENV001": Code(ERROR, "PYENV comes before the first FROM"),
    "PYENV002": Code(ERROR, "PYENV is used as an ONBUILD trigger"),
    "PYENV003": Code(ERROR, "PYENV is written in JSON (exec) form"),
    "PYENV004": Code(ERROR, "PYENV has a heredoc (no longer reported: a heredoc after the venv name holds the requirements)", retired=True),
    "PYENV005": Code(ERROR, "a PYENV word holds a variable; PYENV words are not expanded"),
    "PYENV006": Code(ERROR, "PYENV has too few arguments"),
    "PYENV007": Code(ERROR, "PYENV has too many arguments"),
    "PYENV008": Code(ERROR, "PYENV has an unknown flag"),
    "PYENV009": Code(ERROR, "a PYENV flag is malformed, repeated or has a value it does not accept"),
    "PYENV010": Code(ERROR, "the Python version is empty or malformed (no longer reported: PYENV023 and PYENV024 took its place)", retired=True),
    "PYENV011": Code(ERROR, "the Python version is Python 2, which has no venv module"),
    "PYENV012": Code(ERROR, "no official Python image exists for this version and flavour"),
    "PYENV013": Code(ERROR, "the venv name has characters other than letters, digits, `_` and `-`"),
    "PYENV014": Code(ERROR, "the same venv name is used twice in one stage"),
    "PYENV015": Code(ERROR, "the requirements path is absolute"),
    "PYENV016": Code(ERROR, "the requirements path leaves the build context"),
    "PYENV017": Code(ERROR, "the requirements path has glob characters, white space or quotes"),
    "PYENV018": Code(ERROR, "the requirements file is missing from the build context (or .dockerignore excludes it)"),
    "PYENV019": Code(ERROR, "requirements.txt pins apache-airflow, which an Astro Runtime project must not do"),
    "PYENV020": Code(ERROR, "one stage takes the same Python X.Y from two different images"),
    "PYENV021": Code(ERROR, "the installer is not available yet (no longer reported: pip and uv both are)", retired=True),
    "PYENV022": Code(ERROR, "a value would not reach the generated Dockerfile as written (BuildKit or the shell would read it differently)"),
    "PYENV023": Code(ERROR, "the Python version is malformed: not 3.Y or 3.Y.Z in ASCII digits without leading zeros (a pre-release only in full, 3.Y.0rc1)"),
    "PYENV024": Code(ERROR, "no CPython has the Python version or will soon have it (a minor version more than one past the newest release)"),
    "PYENV025": Code(ERROR, "the requirements path names a directory"),
    "PYENV026": Code(ERROR, "PYENV has both a requirements path and a heredoc"),
    "PYENV027": Code(ERROR, "PYENV has two heredocs"),
    "PYENV028": Code(ERROR, "the heredoc of a PYENV comes before its venv name"),
    "PYENV029": Code(ERROR, "a PYENV `<<` word opens no heredoc PYENV can read (no body, or a file descriptor)"),
    "PYENV030": Code(ERROR, "the requirements are a lock file of another tool (poetry.lock, Pipfile.lock, pdm.lock)"),
    "PYENV031": Code(ERROR, "the installer cannot install the lock file (pip and pylock.toml or uv.lock)"),
    "PYENV032": Code(ERROR, "a uv.lock has no pyproject.toml beside it in the build context"),
    "PYENV033": Code(ERROR, "a uv.lock is a workspace's, whose members are not copied in"),
    "PYENV034": Code(ERROR, "a requirements file refers to a file or directory the build does not see (-r, -c, -e ./pkg, a local path)"),
    "PYENV035": Code(ERROR, "a file named like a PEP 751 lock is not `pylock.toml` or `pylock.<name>.toml`"),
    # Warnings (exit 0).
    "PYENV101": Code(WARNING, "the Python version is past its end of life"),
    "PYENV102": Code(WARNING, "the base image is not recognised; the runtime user, home and flavour are defaults"),
    "PYENV103": Code(WARNING, "the interpreter flavour was chosen from a build argument's compile-time value"),
    "PYENV104": Code(WARNING, "an Astro Runtime project file (packages.txt, requirements.txt) is missing"),
    "PYENV105": Code(WARNING, "the stages layout builds a venv inline: an instruction before it may change the files it is built on"),
    "PYENV106": Code(WARNING, "the Python version is not released yet (the minor version after the newest release)"),
    "PYENV107": Code(WARNING, "the venv name makes ASTRO_PYENV_<name> look like a secret to Docker's check (SecretsUsedInArgOrEnv) or hadolint (DL3064)"),
    "PYENV108": Code(WARNING, "whether a requirements file installs in hash-checking mode is not known (no build context)"),
    "PYENV109": Code(WARNING, "some requirements carry --hash and others do not"),
    "PYENV110": Code(WARNING, "a requirements file names an absolute local path, which the image must already have"),
    "PYENV111": Code(WARNING, "a requirement URL has credentials in it, which would land in a layer"),
    # `pyenvc check-dags`: DAG files read against the Dockerfile's PYENVs.
    "DAG001": Code(ERROR, "a task names a venv that no PYENV in the Dockerfile declares"),
    "DAG002": Code(WARNING, "a PYENV declares a venv that no task in the DAG files uses"),
    "DAG003": Code(WARNING, "a DAG file cannot be read as Python source (syntax error or bad encoding)"),
    "DAG004": Code(ERROR, "a DAG path cannot be read: a dangling link, a FIFO, socket or device, or a file or folder its permissions close"),
    "DAG005": Code(ERROR, "a DAG folder is reached twice through symbolic links (a loop), where Airflow's walk stops"),
    "DAG006": Code(ERROR, "a venv task's function reads a name imported outside it: the venv runs its source without the DAG file's imports"),
    "DAG007": Code(ERROR, "a venv task's function reads a name defined outside it (a variable, function or class of the DAG file) that the venv does not have"),
    "DAG008": Code(ERROR, "a DAG file has syntax that Airflow's own Python cannot parse"),
    "DAG009": Code(ERROR, "a venv task's function has syntax that its venv's Python cannot parse"),
}


def _registered(instance: "Diagnostic", attribute: attrs.Attribute, code: str) -> None:
    if code not in CODES:
        raise KeyError(f"unregistered diagnostic code {code}")


def _registry_severity(instance: "Diagnostic", attribute: attrs.Attribute, severity: str) -> None:
    expected = CODES[instance.code].severity
    if severity != expected:
        raise ValueError(f"{instance.code} is reported as {expected!r} (the registry says so), not {severity!r}")


@attrs.frozen
class Diagnostic:
    """One problem found in the input: its code (see the README's table), severity, message,
    hint, and where it is (1-based line and column, the column in characters)."""

    code: str = attrs.field(validator=_registered)  # a key of CODES
    severity: str = attrs.field(validator=_registry_severity)  # ERROR or WARNING, as CODES has it
    message: str  # lower-case, quotes the offending text, says what was expected
    hint: str | None  # starts with a verb; None when there is nothing to suggest
    line: int  # 1-based
    column: int  # 1-based, in characters
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    path: str = "Dockerfile"  # the file it is about, as the user named it (Source.path)

    @classmethod
    def at(cls, source: Source, span: Span, code: str, message: str, hint: str | None = None) -> Diagnostic:
        """A diagnostic at `span` of `source`, with the severity the registry gives `code`."""
        entry = CODES.get(code)
        if entry is None:
            raise KeyError(f"unregistered diagnostic code {code}")
        if entry.retired:
            raise ValueError(f"diagnostic code {code} is retired: it is no longer reported")
        position = source.position(span.start)
        return cls(code, entry.severity, message, hint, position.line, position.column, span, source.path)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_json(self, path: str | None = None) -> dict:
        return {
            "file": self.path if path is None else path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


# What a terminal must not be sent as it is: control characters (a tab is expanded, a line
# ending never reaches an excerpt) and surrogates (bytes that are not UTF-8, as the file was read).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def _printable(text: str) -> str:
    """The text as it is safe to print: bytes that are not UTF-8 as `\\xff`, control
    characters (an escape sequence in a Dockerfile must not drive the terminal) as `\\x1b`."""
    return _UNPRINTABLE.sub(_escape, text)


def _display_width(text: str) -> int:
    """Columns the text takes once printed: tabs expanded, escapes as printed."""
    return len(_printable(text.expandtabs(8)))


def render_text(diagnostic: Diagnostic, source: Source, *, color: bool = False) -> str:
    """`FILE:LINE:COL: error[CODE]: message`, the source line with a caret, then `help:`."""
    bold, red, yellow, blue, reset = (
        ("\033[1m", "\033[31m", "\033[33m", "\033[34m", "\033[0m") if color else ("",) * 5
    )
    tint = red if diagnostic.is_error else yellow
    lines = [
        f"{bold}{_printable(source.path)}:{diagnostic.line}:{diagnostic.column}: "
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
        lines.append(f"{bold}help{reset}: {_printable(diagnostic.hint)}")
    return "\n".join(lines)


def render_json(diagnostics: Iterable[Diagnostic], path: str | None = None) -> str:
    """The diagnostics as a JSON list; `path` names the file of each (default: its own)."""
    return json.dumps([d.to_json(path) for d in diagnostics], indent=2)


def severity_of(code: str) -> str:
    """The severity the registry gives `code`."""
    return CODES[code].severity


def markdown_table() -> str:
    """The README's table of every code, generated from CODES (checked by a test)."""
    rows = ["| code | severity | meaning |", "| --- | --- | --- |"]
    for code, entry in CODES.items():
        cell = entry.summary.replace("|", "\\|")
        severity = f"{entry.severity} (retired)" if entry.retired else entry.severity
        rows.append(f"| `{code}` | {severity} | {cell} |")
    return "\n".join(rows) + "\n"
