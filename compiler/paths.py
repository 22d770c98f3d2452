"""What a path names, in words for a one-line message: the kind of a file that is not a regular
file (a directory, a device, a FIFO, a socket), and an OSError's real cause, naming the part of
the path at fault. Shared by the commands' files and check-dags' walk of DAG folders."""

from __future__ import annotations

import errno
import os
import stat
from typing import Optional


def kind(mode: int) -> Optional[str]:
    """What a file that is not a regular file is, for a message; None for a regular file."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "a special file"


def cause(error: OSError, name: str) -> str:
    """An OSError's cause in words, naming the part of the path at fault where the system's own
    words would mislead ("No such file or directory" for a dangling symbolic link)."""
    if error.errno == errno.ENOENT:
        try:
            if stat.S_ISLNK(os.lstat(name).st_mode):
                return f"it is a symbolic link to {os.readlink(name)}, which does not exist"
        except OSError:
            pass
        folder = os.path.dirname(name)
        if folder and not os.path.isdir(folder):
            return f"folder {folder} does not exist"
    if error.errno == errno.ENOTDIR:
        folder = os.path.dirname(name)
        while folder and not os.path.exists(folder):
            folder = os.path.dirname(folder)
        if folder and not os.path.isdir(folder):
            return f"{folder} is not a directory"
    return error.strerror or str(error)
