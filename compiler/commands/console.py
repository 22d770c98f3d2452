"""What every `pyenvc` command shares at its edge with the user: arguments, text that keeps
every byte (decode, encode), one-line messages on stderr, colour only on a terminal, and exit
codes that never show a traceback; stdout, which may be closed or full, each a one-line error
(`--help` and `--version` too). Files are commands/files.py's.

Usage and I/O problems are raised as UsageError and become one line and exit 2; anything
unexpected becomes a one-line "internal error" and exit 2 (a traceback is a bug).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, Optional

from pyenvc.diagnostics import render_json, render_text
from pyenvc.source import Source

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

    def _print_message(self, message: str, file=None) -> None:  # type: ignore[override]
        """`--help` and `--version` on stdout, failing as every write there does (argparse's
        own would say nothing on a full stdout and exit 0)."""
        if not message:
            return
        if file is None or file is sys.stdout:
            write_stdout(encode(message))
        else:
            super()._print_message(message, file)


def build_arg(text: str) -> tuple[str, str]:
    """A `--build-arg` value (an argparse type): `K=V`, or `K` alone, which takes K's value
    from the environment as docker does."""
    key, eq, value = text.partition("=")
    if not key:
        raise argparse.ArgumentTypeError(f"invalid build argument '{text}', expected K=V")
    if not eq:
        if key not in os.environ:
            raise argparse.ArgumentTypeError(f"build argument '{key}' has no value and is not in the environment")
        value = os.environ[key]
    return key, value


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


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
    if sys.stderr is None:  # closed (`2>&-`): print() would write to stdout instead
        return
    try:
        sys.stderr.flush()
        stream = getattr(sys.stderr, "buffer", None)
        if stream is None:
            print(text.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)
            return
        stream.write((text + "\n").encode("utf-8", "backslashreplace"))
        stream.flush()
    except (OSError, ValueError):  # stderr full or gone: the exit code still tells
        pass


def one_line(text: str) -> str:
    """`text` with its control characters (a newline in a file name) and other unprintable
    ones escaped, so that a message stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def refuse_nul(argv: list[str]) -> None:
    """No file name or option value holds a NUL byte (an OS argv cannot; a caller's list can)."""
    for number, word in enumerate(argv, 1):
        if "\0" in word:
            raise UsageError(f"argument {number} '{one_line(word)}' has a NUL byte")


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so that the interpreter's own flush at exit finds
    nothing to complain about (Python's advice for a broken pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def write_stdout(data: bytes) -> None:
    """`data` on stdout, after whatever text was written there before. A closed stdout or a
    failed write (a full disk, a terminal gone) is a UsageError; a broken pipe stays a
    BrokenPipeError, which the commands end quietly on, as `head` expects."""
    stream = sys.stdout
    if stream is None or getattr(stream, "buffer", None) is None:
        raise UsageError("cannot write to stdout: it is closed")
    try:
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as error:  # ValueError: a closed stream object
        if isinstance(error, OSError):
            _silence_stdout()
        raise UsageError(f"cannot write to stdout: {getattr(error, 'strerror', None) or error}") from None


def flush_stdout() -> None:
    """Flush stdout before another process writes to it; nothing when it is closed."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        _silence_stdout()


def guarded(command: Callable[[], int]) -> int:
    """Run a command's body and turn every way it can fail into a one-line message and an
    exit code; argparse's `--help` exit keeps its code."""
    try:
        try:
            return command()
        except SystemExit as exit:
            return exit.code if isinstance(exit.code, int) else 2
    except UsageError as problem:
        stderr_line(f"{PROG}: error: {one_line(str(problem))}")
        return 2
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # keep the interpreter quiet at exit
        except OSError:
            pass
        return 2
    except KeyboardInterrupt as interrupt:  # SIGINT; SIGTERM or SIGHUP during a write (files.Interrupted)
        signum = getattr(interrupt, "signum", None)
        stderr_line(f"{PROG}: interrupted" + (f" by {interrupt}" if signum is not None else ""))
        return 2
    except Exception as error:  # noqa: BLE001 - a traceback is a bug; say so in one line
        stderr_line(f"{PROG}: internal error: {type(error).__name__}: {one_line(str(error))} (please report this)")
        return 2


def report(diagnostics: list, source: Source, fmt: str) -> None:
    """Diagnostics on stderr: rendered for people (with a count of errors), or as JSON."""
    if fmt == "json":
        stderr_line(render_json(diagnostics, source.path))
        return
    tinted = color(sys.stderr)
    for diagnostic in diagnostics:
        stderr_line(render_text(diagnostic, source, color=tinted))
    errors = sum(1 for d in diagnostics if d.is_error)
    if errors:
        stderr_line(f"{source.path}: {errors} error{'s' if errors != 1 else ''}, nothing written")


def compile_and_report(text: str, display: str, fmt: str, **arguments: Any) -> Optional[Any]:
    """`pyenvc.compile` as `pyenvc compile` and `pyenvc build` run it: an option value it cannot
    honour is a usage error (exit 2); its diagnostics go to stderr. The Result, or None when
    the input has errors (exit 1)."""
    from pyenvc.diagnostics import has_errors
    from pyenvc.lowering.options import OptionTypeError, OptionValueError
    from pyenvc.pipeline import compile

    try:
        result = compile(text, **arguments)
    except (OptionTypeError, OptionValueError) as problem:  # a value the compiler cannot honour
        raise UsageError(str(problem)) from None
    if result.diagnostics or fmt == "json":
        report(result.diagnostics, Source(text, display), fmt)
    if has_errors(result.diagnostics) or result.output is None:
        return None
    return result
