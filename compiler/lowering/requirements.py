"""What a PYENV's requirements are: their kind, read from the file's name, and what a pip
requirements file holds that decides how it installs.

In: the requirements path as written (or a heredoc's body), and the file's text where the build
context is known. Out: the kind (`requirements`, `pylock`, `uv.lock`, or a lock kind pyenvc
does not install) and `Findings`: whether every requirement carries `--hash` (hash-checking
mode), and each reference to something outside the file (`-r`, `-c`, `-e ./pkg`, a local wheel
or directory, `--find-links ./dir`) that the build will not see, since only the named file is
copied in; and each URL with credentials in it.

Lines are read as pip reads them (pip's req_file.py): a line ending in `\\` joins the next, a
`#` at the start or after white space starts a comment, options and requirements share lines.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import NamedTuple, Optional

REQUIREMENTS, PYLOCK, UV_LOCK = "requirements", "pylock", "uv.lock"
# Lock files of other tools: pyenvc installs none of them.
FOREIGN_LOCKS = {"poetry.lock": "Poetry", "Pipfile.lock": "Pipenv", "pdm.lock": "PDM"}
SUPPORTED = "a pip requirements file (hashed or not), `pylock.toml` or `pylock.<name>.toml` (PEP 751), or `uv.lock`"
_PYLOCK = re.compile(r"pylock(?:\.([^.]+))?\.toml\Z")
_PYLOCK_LIKE = re.compile(r"pylock\..*\.toml\Z")
_COMMENT = re.compile(r"(^|\s+)#.*$")
# scheme://user:password@host, or a token alone over HTTP (https://token@host); the user name
# of `git+ssh://git@host` is no secret
_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.-]*)://([^/@\s:]*)(:[^/@\s]*)?@", re.IGNORECASE)
# options that name another file or a directory; the value is the next word or after `=`
_FILE_OPTIONS = {
    "-r": "requirements file", "--requirement": "requirements file",
    "-c": "constraints file", "--constraint": "constraints file",
    "-e": "editable project", "--editable": "editable project",
    "-f": "find-links location", "--find-links": "find-links location",
}
_ARCHIVE = re.compile(r"\.(?:whl|tar\.gz|tar\.bz2|tar\.xz|tgz|zip)\Z", re.IGNORECASE)


class Requirements(NamedTuple):
    """What a PYENV installs: a file of the build context, or a heredoc's body."""

    kind: str  # REQUIREMENTS, PYLOCK or UV_LOCK
    path: Optional[str] = None  # in the build context, as COPY takes it
    inline: Optional[str] = None  # the heredoc's body, as a requirements file would hold it
    hashed: bool = False  # every requirement carries --hash: uv needs --require-hashes

    @property
    def file_name(self) -> str:
        """The name it is copied in as: a PEP 751 lock keeps its own (uv reads the kind from
        it); a requirements file becomes requirements.txt."""
        return posixpath.basename(self.path) if self.kind == PYLOCK and self.path else "requirements.txt"

    @property
    def project_files(self) -> tuple[str, str]:
        """uv.lock and the pyproject.toml beside it, in the build context."""
        assert self.path is not None
        return self.path, posixpath.join(posixpath.dirname(self.path), "pyproject.toml")


def kind_of(path: str) -> str:
    """The kind of the requirements at `path`, from its file name alone (exact case)."""
    name = posixpath.basename(path)
    if name in FOREIGN_LOCKS:
        return name
    if _PYLOCK.match(name):
        return PYLOCK
    if _PYLOCK_LIKE.match(name):
        return "pylock-invalid"
    if name == "uv.lock":
        return UV_LOCK
    return REQUIREMENTS


class Line(NamedTuple):
    """One logical line of a requirements file: its text without the comment, and where its
    first physical line starts (1-based line number, character offset in the file)."""

    number: int
    offset: int
    text: str


class Reference(NamedTuple):
    """Something a requirements line names that the build will not see."""

    line: Line
    what: str  # "requirements file", "local path", ...
    target: str  # as written
    absolute: bool  # an absolute path: the image may have it (a warning, not an error)


class Findings(NamedTuple):
    hashed: bool  # every requirement carries --hash (and there is one): hash-checking mode
    partly_hashed: Optional[Line]  # a requirement without --hash where others have one
    references: list[Reference]
    credentials: list[tuple[Line, str]]  # (line, the URL's scheme://user:...@ as written)


def logical_lines(text: str) -> list[Line]:
    """pip's join_lines and ignore_comments: continuation lines joined, comments dropped,
    blank lines skipped."""
    lines: list[Line] = []
    parts: list[str] = []
    start = (1, 0)
    offset = 0
    for number, physical in enumerate(text.split("\n"), 1):
        raw = physical.rstrip("\r")
        if not parts:
            start = (number, offset)
        offset += len(physical) + 1
        if raw.endswith("\\") and not _COMMENT.search(raw):
            parts.append(raw[:-1])
            continue
        parts.append(raw)
        joined = _COMMENT.sub("", "".join(parts)).strip()
        parts = []
        if joined:
            lines.append(Line(start[0], start[1], joined))
    if parts:
        joined = _COMMENT.sub("", "".join(parts)).strip()
        if joined:
            lines.append(Line(start[0], start[1], joined))
    return lines


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: pip's own error at build time
        return text.split()


def _local(target: str) -> Optional[bool]:
    """None where `target` is no local path (a name, a URL); else whether it is absolute."""
    if target.startswith("file:"):
        rest = target[5:]
        return rest.startswith("/")
    if "://" in target or target.startswith("git+"):
        return None
    if target.startswith(("/", "./", "../", "~")) or target in (".", ".."):
        return target.startswith("/")
    if "/" in target or _ARCHIVE.search(target):
        return False
    return None


def read(text: str) -> Findings:
    """What decides how a pip requirements file installs, and what it refers to."""
    references: list[Reference] = []
    credentials: list[tuple[Line, str]] = []
    requirements = hashed = 0
    unhashed: Optional[Line] = None
    for line in logical_lines(text):
        for found in _CREDENTIALS.finditer(line.text):
            scheme, user, password = found.groups()
            if password or (user and scheme.lower().rsplit("+", 1)[-1] in ("http", "https")):
                credentials.append((line, found.group(0)))
        words = _words(line.text)
        is_requirement = bool(words) and not words[0].startswith("-")
        index = 0
        while index < len(words):
            word = words[index]
            option, eq, value = word.partition("=")
            if option in _FILE_OPTIONS or (word[:2] in _FILE_OPTIONS and len(word) > 2 and not word.startswith("--")):
                if option not in _FILE_OPTIONS:  # -rfile
                    option, value, eq = word[:2], word[2:], "="
                if not eq:
                    index += 1
                    value = words[index] if index < len(words) else ""
                what = _FILE_OPTIONS[option]
                local = _local(value) if what in ("editable project", "find-links location") else value.startswith("/")
                if what in ("requirements file", "constraints file") and "://" in value:
                    local = None
                if local is not None and value:
                    references.append(Reference(line, what, value, local))
            index += 1
        if is_requirement:
            requirements += 1
            if any(w.startswith("--hash") for w in words):
                hashed += 1
            elif unhashed is None:
                unhashed = line
            target = words[0]
            if " @ " in line.text:  # name @ url
                target = line.text.split(" @ ", 1)[1].split(";")[0].split()[0]
            local = _local(target.split(";")[0])
            if local is not None:
                references.append(Reference(line, "local path", target, local))
    all_hashed = requirements > 0 and hashed == requirements
    partly = unhashed if hashed and not all_hashed else None
    return Findings(all_hashed, partly, references, credentials)
