"""What every `pyenvc` command shares at its edge with the user: reading an input file (or
stdin) as bytes that all survive, one-line messages on stderr, colour only on a terminal, and
exit codes that never show a traceback.

Usage and I/O problems are raised as UsageError and become one line and exit 2; anything
unexpected becomes a one-line "internal error" and exit 2 (a traceback is a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

PROG = "pyenvc"


class UsageError(Exception):
    """A usage or I/O problem: one line on stderr, exit 2."""


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`, without importing shutil (and with it bz2 and
    lzma: ~3 ms of every start-up): $COLUMNS, else the width of the terminal on stdout, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, the terminal's width found as argparse finds it but without
    shutil: argparse makes a formatter for every add_argument (to check its metavar)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: "int | None" = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors raised as UsageError instead of printed and exited."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> "None":  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def read_input(name: str) -> str:
    """A file's text (`-`: stdin), decoded so that every byte survives."""
    if name == "-":
        return decode(sys.stdin.buffer.read())
    if os.path.isdir(name):
        raise UsageError(f"cannot read {name}: it is a directory")
    try:
        with open(name, "rb") as f:
            return decode(f.read())
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def color(stream) -> bool:
    """Colour for a terminal, unless NO_COLOR or TERM=dumb say otherwise."""
    return bool(
        hasattr(stream, "isatty")
        and stream.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
    )


def stderr_line(text: str) -> None:
    """A line on stderr; text quoting bytes that are not UTF-8 shows them escaped."""
    sys.stderr.flush()
    stream = getattr(sys.stderr, "buffer", None)
    if stream is None:
        print(text.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)
        return
    stream.write((text + "\n").encode("utf-8", "backslashreplace"))
    stream.flush()


def guarded(command: Callable[[], int]) -> int:
    """Run a command's body and turn every way it can fail into a one-line message and an
    exit code; argparse's `--help` exit keeps its code."""
    try:
        try:
            return command()
        except SystemExit as exit:
            return exit.code if isinstance(exit.code, int) else 2
    except UsageError as problem:
        stderr_line(f"{PROG}: error: {problem}")
        return 2
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # keep the interpreter quiet at exit
        except OSError:
            pass
        return 2
    except KeyboardInterrupt:
        stderr_line(f"{PROG}: interrupted")
        return 2
    except Exception as error:  # noqa: BLE001 - a traceback is a bug; say so in one line
        stderr_line(f"{PROG}: internal error: {type(error).__name__}: {error} (please report this)")
        return 2
