"""The build context: is a requirements path one that `COPY` would find there?

In: a context directory (and the Dockerfile's path, for a `<Dockerfile>.dockerignore`), a path
as written in a PYENV. Out: a reason the path is unusable, or None.

`.dockerignore` is read and applied exactly as Docker does it (`docker/dockerignore.py`); a file
Docker would refuse makes every path here unusable, with Docker's reason.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Optional

import attrs

from pyenvc.docker.dockerignore import DockerignoreError, Matcher
from pyenvc.docker.gofilepath import clean

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device"}
GLOB_OR_SPACE = re.compile(r"[*?\[\]\s\"'\\]")


@attrs.frozen
class BuildContext:
    root: str  # the context directory
    ignore: Matcher = attrs.field(eq=False)
    ignore_file: Optional[str] = None  # which ignore file was read, if any
    ignore_error: Optional[DockerignoreError] = attrs.field(default=None, eq=False)  # Docker refuses the file

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
                try:
                    with open(candidate, encoding="utf-8", errors="surrogateescape") as f:
                        return cls(root, Matcher.from_text(f.read()), candidate)
                except DockerignoreError as error:
                    return cls(root, Matcher([]), candidate, error)
        return cls(root, Matcher([]), None)

    def is_directory(self, path: str) -> bool:
        """Whether `path` is a directory here that .dockerignore leaves in the context (an
        ignore file Docker refuses leaves nothing: `missing` says why)."""
        rel = clean(path)
        return self._ignored(rel) is None and os.path.isdir(os.path.join(self.root, *rel.split("/")))

    def missing(self, path: str) -> Optional[str]:
        """Why `COPY <path>` would not find a file here, or None when it would."""
        rel = clean(path)
        why = self._ignored(rel)
        if why is not None:
            return why
        full = os.path.join(self.root, *rel.split("/"))
        try:
            mode = os.stat(full).st_mode
        except OSError:
            return "there is a symbolic link that leads nowhere" if os.path.islink(full) else "there is no such file"
        if stat.S_ISDIR(mode):
            return "it is a directory"
        if not stat.S_ISREG(mode):
            return f"it is {_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a regular file"
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(full)]) != root:
            # BuildKit follows a link only inside the context it was sent
            return "it is a symbolic link that leads out of the build context"
        return None

    def _ignored(self, rel: str) -> Optional[str]:
        name = self.ignore_file or ".dockerignore"
        error = self.ignore_error
        if error is None:
            try:
                return f"{name} excludes it" if self.ignore.excludes(rel) else None
            except DockerignoreError as raised:  # a pattern that fails when first tested
                error = raised
        where = f" line {error.line}" if error.line is not None else ""
        return f"Docker refuses {name}{where} ({error.message}), so the build would fail"


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
