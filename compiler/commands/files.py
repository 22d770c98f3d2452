"""The commands' files: reading the input, writing the output, and stdout, so that an odd file
never hangs the command, never costs the user the source, and never leaves a temporary file.

In: the names the user gave (`-` is stdin or stdout). Out: the input's bytes as text (every
byte survives), the output written atomically, or a UsageError (one line, exit 2) that names
the real cause:

- an input larger than MAX_INPUT (a device such as /dev/zero never ends) is refused;
- an output that is a directory, a device, a FIFO or a socket is refused before anything is
  opened (opening a FIFO for writing waits for a reader: a hang);
- an output that is the input itself (the same file through another name, a symbolic or a hard
  link) is refused: the source would lose its PYENV lines;
- the output is a temporary file in OUT's folder, renamed over OUT once complete; SIGINT, SIGTERM
  or SIGHUP meanwhile removes it (the command then ends with exit 2, as every I/O failure does);
(stdout, closed or full, is console.py's.)
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from pyenvc.commands.console import UsageError, decode
from pyenvc.paths import cause, kind

MAX_INPUT = 64 * 1024 * 1024  # bytes: a hundred times the largest real Dockerfiles
_CHUNK = 1 << 20
# What ends a command run by hand or by a CI job (SIGHUP: the terminal closed); not all exist everywhere.
_STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP during a write, raised like SIGINT's KeyboardInterrupt so that the same
    clean-up runs; the command then says so and exits 2."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# ---------------------------------------------------------------------------------------------
# What a name is


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def input_identity(name: str) -> Optional[tuple[int, int]]:
    """The regular file the input `name` is (device and inode); None for a pipe, a device, or
    a name that cannot be looked at yet (read_input says why)."""
    try:
        info = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
    except (OSError, ValueError, AttributeError):  # missing (read_input says so), stdin closed
        return None
    return _identity(info) if stat.S_ISREG(info.st_mode) else None


def existing_output(
    name: str, source: Optional[tuple[int, int]] = None, action: str = "write"
) -> Optional[os.stat_result]:
    """OUT's status before anything opens it: None when it does not exist yet (its folder does);
    a UsageError ("cannot {action} OUT: ...") when it is no regular file, is the input
    (`source`), or cannot be looked at."""
    try:
        info = os.stat(name)
    except FileNotFoundError as error:
        if stat.S_ISLNK(_lmode(name)):  # a dangling link: writing creates its target, as a shell does
            folder = os.path.dirname(os.path.realpath(name))
        else:
            folder = os.path.dirname(name) or "."
        if not os.path.isdir(folder):
            raise UsageError(f"cannot {action} {name}: {cause(error, name)}") from None
        return None
    except OSError as error:
        raise UsageError(f"cannot {action} {name}: {cause(error, name)}") from None
    what = kind(info.st_mode)
    if what is not None:
        stdout = "" if stat.S_ISDIR(info.st_mode) else " (`-o -` writes to stdout)"  # -o /dev/stdout
        raise UsageError(f"cannot {action} {name}: it is {what}, not a regular file{stdout}")
    if source is not None and _identity(info) == source:
        raise UsageError(f"cannot {action} {name}: it is the input file (the source would lose its PYENV lines)")
    return info


def _lmode(name: str) -> int:
    try:
        return os.lstat(name).st_mode
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------------
# Reading


def _read_all(read: Callable[[int], bytes], name: str) -> bytes:
    """Read chunks until the end, refusing more than MAX_INPUT bytes."""
    chunks, total = [], 0
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > MAX_INPUT:
            raise UsageError(
                f"cannot read {name}: it is larger than {MAX_INPUT >> 20} MiB, "
                "far more than a Dockerfile holds (a device that never ends?)"
            )
        chunks.append(chunk)


def read_input(name: str) -> str:
    """A file's text (`-`: stdin), decoded so that every byte survives. A pipe, a FIFO or a
    terminal is read to its end (`pyenvc <(cat Dockerfile)` is a pipe); a directory or a socket
    is refused."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise UsageError("cannot read stdin: it is closed")
        try:
            return decode(_read_all(getattr(stream, "read1", stream.read), "stdin"))
        except OSError as error:
            raise UsageError(f"cannot read stdin: {error.strerror or error}") from None
    try:
        what = kind(os.stat(name).st_mode)
        if what in ("a directory", "a socket"):
            raise UsageError(f"cannot read {name}: it is {what}")
        with open(name, "rb", buffering=0) as f:
            return decode(_read_all(f.read, name))
    except OSError as error:
        raise UsageError(f"cannot read {name}: {cause(error, name)}") from None


def read_output(name: str, source: Optional[tuple[int, int]] = None) -> Optional[bytes]:
    """OUT's current bytes for `--check` and `--diff`, or None when it does not exist; the same
    refusals as for writing it (a FIFO is never opened)."""
    if existing_output(name, source, "compare with") is None:
        return None
    try:
        with open(name, "rb", buffering=0) as f:
            return _read_all(f.read, name)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {cause(error, name)}") from None


# ---------------------------------------------------------------------------------------------
# Writing


@contextmanager
def _held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back for a step that must not be cut in two (creating
    the temporary file and remembering its name; renaming it; removing it). A held signal
    arrives when the step is over."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: nothing to hold back with
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted, as SIGINT raises KeyboardInterrupt, instead of
    ending the process on the spot with the temporary file still there. Only the main thread
    can set handlers; a handler someone else set stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for signum in _STOPS:
        if signum != signal.SIGINT and signal.getsignal(signum) == signal.SIG_DFL:
            saved[signum] = signal.signal(signum, _raise_interrupted)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _new_file_mode(existing: Optional[os.stat_result]) -> int:
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _create_beside(target: str, name: str) -> tuple[int, str]:
    """A new temporary file in the folder of `target` (OUT with its links resolved), named in
    messages as the user wrote it unless a link leads elsewhere."""
    import tempfile  # here, not at the top: only writing a file needs it (~3 ms of a start-up)

    folder = os.path.dirname(target)
    if os.path.realpath(os.path.dirname(name) or ".") == folder:
        folder = os.path.dirname(name) or "."
    try:
        return tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as error:
        if error.errno == errno.ENOENT and os.path.isdir(folder):  # /proc, /sys: no new files there
            why = f"its folder {folder} does not take new files (a virtual file system?)"
        else:
            why = f"cannot create a file in {folder}: {error.strerror or error}"
        raise UsageError(f"cannot write {name}: {why}") from None


def _holds(name: str, data: bytes) -> bool:
    try:
        with open(name, "rb", buffering=0) as f:
            return f.read(len(data) + 1) == data
    except OSError:  # unreadable, yet perhaps writable: write it
        return False


def write_atomic(name: str, data: bytes, source: Optional[tuple[int, int]] = None) -> bool:
    """Write `data` to `name` through a temporary file in the same folder and os.replace: the
    old file stays whole until the new one is complete, and the temporary file is removed
    whatever happens, SIGINT and SIGTERM included. Nothing is written when the file already
    holds exactly `data`. `source` is the input's identity (input_identity): never overwritten.
    Returns whether it wrote."""
    existing = existing_output(name, source)
    target = os.path.realpath(name)
    if existing is not None and existing.st_size == len(data) and _holds(name, data):
        return False
    mode = _new_file_mode(existing)
    temp = None
    with _interruptible():
        try:
            with _held():
                fd, temp = _create_beside(target, name)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, mode)
                os.fsync(fd)  # ENOSPC and EIO can wait until here; and a crash keeps the old file
            finally:
                os.close(fd)
            with _held():
                os.replace(temp, target)
                temp = None
        except OSError as error:
            raise UsageError(f"cannot write {name}: {cause(error, name)}") from None
        finally:
            with _held():
                if temp is not None:
                    try:
                        os.unlink(temp)
                    except OSError:
                        pass
    return True
