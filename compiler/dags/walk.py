"""Which DAG files `check-dags` reads: each named file, and every `*.py` under each named folder,
followed through symbolic links as Airflow follows them, in sorted order, once each.

In: the paths the user gave. Out: a list of entries in that order, each a path to read or an
Unreadable: a path that cannot be read, with its finding. Nothing here opens a file, so nothing
hangs (opening a FIFO waits for a writer):

- DAG004 (error): a `*.py` that is a dangling symbolic link, a link loop, a FIFO, a socket or a
  device; a folder that cannot be listed. (A file that cannot be opened, for its permissions,
  is found when it is read: `unreadable()` makes its finding.) Airflow cannot import such a
  file, and the check cannot vouch for it.
- DAG005 (error): a folder reached a second time through a symbolic link (a loop, or two links
  to one folder). It is walked once; Airflow's own walk stops there with "Detected recursive
  loop when walking DAG directory".

A named path that does not exist at all is the command line's mistake, not the DAG folder's: an
OSError (FileNotFoundError), as before. Folders whose names start with a dot and `__pycache__`
are skipped.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Iterable, Optional, Union

import attrs

from pyenvc.diagnostics import Diagnostic
from pyenvc.paths import cause, kind
from pyenvc.source import Source, Span


@attrs.frozen
class Unreadable:
    """A DAG path that is not read, and why."""

    path: str  # as shown to the user
    source: Source  # empty: nothing was read, so the finding is at line 1, column 1
    finding: Diagnostic  # DAG004 or DAG005


def unreadable(path: str, why: str, code: str = "DAG004", hint: Optional[str] = None) -> Unreadable:
    """The finding for `path`, which cannot be read because `why`."""
    source = Source("", path)
    message = f"cannot read {path}: {why}" if code == "DAG004" else why
    hint = hint or "make it a regular file that can be read, or remove it"
    return Unreadable(path, source, Diagnostic.at(source, Span(0, 0), code, message, hint))


def read_error(path: str, error: OSError) -> Unreadable:
    """The finding for a DAG file whose read failed (permissions, an I/O error), or that
    cannot be looked at (a dangling link, a link loop)."""
    hint = None
    if error.errno in (errno.EACCES, errno.EPERM):
        hint = f"let the user who runs check-dags read it (`chmod a+r {path}`), or remove it"
    elif os.path.islink(path):
        hint = "point the link at an existing DAG file, or remove it"
    return unreadable(path, cause(error, path), hint=hint)


def dag_files(paths: Iterable[str]) -> list[Union[str, Unreadable]]:
    """The files to read and the paths that cannot be; raises FileNotFoundError for a named path
    that does not exist."""
    entries: list[Union[str, Unreadable]] = []
    seen: set[str] = set()
    for path in paths:
        try:
            is_folder = stat.S_ISDIR(os.stat(path).st_mode)
        except FileNotFoundError:
            if not os.path.lexists(path):
                raise FileNotFoundError(errno.ENOENT, "No such file or directory", path) from None
            is_folder = False  # a dangling link: _file says so
        except OSError:
            is_folder = False
        if is_folder:
            _walk(path, entries, seen)
        else:
            _file(path, entries, seen)
    return entries


def _file(path: str, entries: list, seen: set[str]) -> None:
    try:
        info = os.stat(path)
    except OSError as error:
        entries.append(read_error(path, error))
        return
    what = kind(info.st_mode)
    if what is not None:
        hint = "remove it: a DAG file is a regular file"
        entries.append(unreadable(path, f"it is {what}, not a regular file (not opened)", hint=hint))
        return
    key = os.path.realpath(path)
    if key not in seen:
        seen.add(key)
        entries.append(path)


def _walk(top: str, entries: list, seen: set[str]) -> None:
    walked = {os.path.realpath(top)}

    def listing_failed(error: OSError) -> None:
        name = error.filename if error.filename is not None else top
        denied = error.errno in (errno.EACCES, errno.EPERM)
        hint = f"let the user who runs check-dags list it (`chmod a+rx {name}`)" if denied else None
        entries.append(unreadable(name, f"cannot list the folder: {cause(error, name)}", hint=hint))

    for folder, folders, files in os.walk(top, followlinks=True, onerror=listing_failed):
        for name in sorted(files):
            if name.endswith(".py"):
                _file(os.path.join(folder, name), entries, seen)
        keep = []
        for name in sorted(folders):
            if name.startswith(".") or name == "__pycache__":
                continue
            path = os.path.join(folder, name)
            real = os.path.realpath(path)
            if real in walked:
                entries.append(_again(path, real))
                continue
            walked.add(real)
            keep.append(name)
        folders[:] = keep


def _again(path: str, real: str) -> Unreadable:
    link = f"the link {path}" if os.path.islink(path) else f"the symbolic link that leads to {real}"
    return unreadable(
        path,
        f"folder {path} is {real} again, already walked (a symbolic link loop, or two links to one folder)",
        "DAG005",
        f"remove {link}: Airflow's DAG processor stops at it (\"Detected recursive loop when walking DAG directory\")",
    )
