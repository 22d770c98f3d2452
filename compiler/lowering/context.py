"""The build context: is a requirements path one that `COPY` would find there?

In: a context directory (and the Dockerfile's path, for a `<Dockerfile>.dockerignore`), a path
as written in a PYENV. Out: a reason the path is unusable, or None.

`.dockerignore` is read the way BuildKit reads it (moby/patternmatcher and its ignorefile):
`#` comment lines, trimmed lines, `!` exceptions, patterns cleaned like Go's filepath.Clean
with a leading `/` dropped, `*` and `?` within one path element, `**` across elements, `\\`
escaping, and the last matching pattern winning; a file is excluded when a pattern matches it
or one of its parent directories.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import NamedTuple, Optional

import attrs

GLOB_OR_SPACE = re.compile(r"[*?\[\]\s\"'\\]")


def clean(path: str) -> str:
    """Go's path.Clean."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


class _Pattern(NamedTuple):
    text: str  # cleaned, without the `!`
    exclusion: bool  # a `!` exception
    regex: "re.Pattern[str]"


def _compile(pattern: str) -> "re.Pattern[str]":
    out = ["^"]
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:
                    out.append(".*")
                else:
                    out.append("(.*/)?")
            else:
                out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch in ".$+()|{}^":
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
            else:
                out.append("\\\\")
        else:
            out.append(ch)
    out.append("$")
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return re.compile(r"(?!)")  # BuildKit rejects the file; here it matches nothing


def read_patterns(text: str) -> list[str]:
    """ignorefile.ReadAll."""
    patterns = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.lstrip("\ufeff")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append(("!" if invert else "") + line)
    return patterns


class Ignore:
    """A compiled .dockerignore."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = []
        for p in patterns:
            exclusion = p.startswith("!")
            body = p[1:] if exclusion else p
            self.patterns.append(_Pattern(body, exclusion, _compile(clean(body) if body else body)))

    def excludes(self, path: str) -> bool:
        """patternmatcher.MatchesOrParentMatches for a slash-separated path in the context."""
        matched = False
        parent = posixpath.dirname(path) or "."
        parent_dirs = parent.split("/")
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = bool(pattern.regex.match(path))
            if not match and parent != ".":
                for i in range(len(parent_dirs)):
                    if pattern.regex.match("/".join(parent_dirs[: i + 1])):
                        match = True
                        break
            if match:
                matched = not pattern.exclusion
        return matched


@attrs.frozen
class BuildContext:
    root: str  # the context directory
    ignore: Ignore = attrs.field(eq=False)
    ignore_file: Optional[str] = None  # which ignore file was read, if any

    @classmethod
    def load(cls, root: str, dockerfile: Optional[str] = None) -> "BuildContext":
        """Read `<Dockerfile>.dockerignore` if it exists (BuildKit prefers it), else
        `<context>/.dockerignore`."""
        candidates = []
        if dockerfile:
            candidates.append(dockerfile + ".dockerignore")
        candidates.append(os.path.join(root, ".dockerignore"))
        for candidate in candidates:
            if os.path.isfile(candidate):
                with open(candidate, encoding="utf-8", errors="surrogateescape") as f:
                    return cls(root, Ignore(read_patterns(f.read())), candidate)
        return cls(root, Ignore([]), None)

    def is_directory(self, path: str) -> bool:
        """Whether `path` is a directory here that .dockerignore leaves in the context."""
        rel = clean(path)
        return not self.ignore.excludes(rel) and os.path.isdir(os.path.join(self.root, *rel.split("/")))

    def missing(self, path: str) -> Optional[str]:
        """Why `COPY <path>` would not find a file here, or None when it would."""
        rel = clean(path)
        if self.ignore.excludes(rel):
            return f"{self.ignore_file or '.dockerignore'} excludes it"
        full = os.path.join(self.root, *rel.split("/"))
        if os.path.isdir(full):
            return "it is a directory"
        if not os.path.isfile(full):
            return "there is no such file"
        return None


def path_problem(path: str) -> Optional[tuple[str, str]]:
    """(code, message detail) for a requirements path that is wrong whatever the context."""
    if path.startswith("/"):
        return "PYENV015", "is absolute"
    if GLOB_OR_SPACE.search(path):
        return "PYENV017", "has glob characters, white space, quotes or backslashes"
    cleaned = clean(path)
    if cleaned == ".." or cleaned.startswith("../"):
        return "PYENV016", "leaves the build context"
    if cleaned == "." or path.rsplit("/", 1)[-1] in ("", ".", ".."):  # `r.txt/`, `r/.`, `x/..`
        return "PYENV025", "names a directory, not a file"
    return None
