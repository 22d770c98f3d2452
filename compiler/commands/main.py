"""The `pyenvc` command: arguments, file and stdin I/O, diagnostics on stderr, exit codes.

In: argv. Out: an exit code (0 ok, warnings allowed; 1 errors in the input, or `--check` found a
difference; 2 usage, I/O or internal error), the generated file (written atomically, only when
there are no errors) or stdout, and diagnostics on stderr. A traceback is a bug: anything
unexpected becomes a one-line "internal error" and exit 2.

Files are read and written as bytes and decoded as UTF-8 with `surrogateescape`, so CRLF, a BOM
and bytes that are not UTF-8 pass through unchanged.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from typing import Optional, Sequence

from pyenvc.lowering import generate
from pyenvc.lowering import lower as lowering
from pyenvc.commands.console import PROG, ArgumentParser, UsageError, color, decode, encode, guarded, read_input, stderr_line
from pyenvc.diagnostics import has_errors, render_json, render_text
from pyenvc.syntax.source import Source

COMMANDS = ("compile", "parse", "check-dags", "build")


def _read_existing(name: str) -> Optional[bytes]:
    if os.path.isdir(name):
        raise UsageError(f"cannot read {name}: it is a directory")
    try:
        with open(name, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def write_atomic(name: str, data: bytes) -> None:
    """Write `data` to `name` through a temporary file in the same directory and os.replace;
    the old file stays whole until the new one is complete. Nothing is written when the file
    already holds exactly `data`."""
    target = os.path.realpath(name)
    if os.path.isdir(target):
        raise UsageError(f"cannot write {name}: it is a directory")
    try:
        with open(target, "rb") as f:
            if f.read() == data:
                return
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError:
        mode = 0o644
    directory = os.path.dirname(target) or "."
    import tempfile  # here, not at the top: only writing a file needs it (~3 ms of a start-up)

    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as error:
        raise UsageError(f"cannot write {name}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as error:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise UsageError(f"cannot write {name}: {error.strerror or error}") from None


def _report(diagnostics: list, source: Source, fmt: str) -> None:
    if fmt == "json":
        stderr_line(render_json(diagnostics, source.path))
        return
    tinted = color(sys.stderr)
    for diagnostic in diagnostics:
        stderr_line(render_text(diagnostic, source, color=tinted))
    errors = sum(1 for d in diagnostics if d.is_error)
    if errors:
        stderr_line(f"{source.path}: {errors} error{'s' if errors != 1 else ''}, nothing written")


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _diff(old: Optional[bytes], new: bytes, name: str) -> str:
    import difflib

    a = decode(old).splitlines(keepends=True) if old is not None else []
    b = decode(new).splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(a, b, f"{name} (current)", f"{name} (generated)"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _build_arg(text: str) -> tuple[str, str]:
    key, eq, value = text.partition("=")
    if not key:
        raise argparse.ArgumentTypeError(f"invalid build argument '{text}', expected K=V")
    if not eq:  # like docker: `--build-arg K` takes K from the environment
        if key not in os.environ:
            raise argparse.ArgumentTypeError(f"build argument '{key}' has no value and is not in the environment")
        value = os.environ[key]
    return key, value


def _uid(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"invalid uid '{text}', expected a number")
    return int(text)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("pyenvc")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        return "unknown"


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked for: reading the distribution's metadata costs
    ~20 ms of every start-up otherwise."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0,
                         help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[override]
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _compile_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog=PROG,
        description="Compile PYENV instructions in a Dockerfile into a standard Dockerfile.",
        epilog="Other commands: `pyenvc parse FILE --format buildkit-json`, `pyenvc check-dags`, `pyenvc build`. "
        "Exit codes: 0 ok, 1 errors in the input or --check found a difference, 2 usage, I/O or internal error.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("file", metavar="FILE", help="the Dockerfile with PYENV lines; - for stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="where to write the result; - or absent: stdout")
    parser.add_argument("--check", action="store_true", help="exit 1 when OUT is missing or differs; write nothing")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of OUT against the result; write nothing")
    parser.add_argument("--build-arg", metavar="K=V", action="append", default=[], type=_build_arg,
                        help="an ARG value for resolving FROM (repeatable)")
    parser.add_argument("--context", metavar="DIR", help="the build context (default: FILE's folder; none for stdin)")
    parser.add_argument("--layout", default=lowering.DEFAULT_LAYOUT, choices=lowering.LAYOUTS,
                        help="stages (default): each venv built in a stage of its own, then copied in; inline: in place")
    parser.add_argument("--installer", default="pip", choices=lowering.INSTALLERS, help="default for PYENVs without --installer")
    parser.add_argument("--uv-image", metavar="IMAGE", default=generate.DEFAULT_UV_IMAGE,
                        help=f"the image uv is taken from (/uv at its root; default {generate.DEFAULT_UV_IMAGE})")
    parser.add_argument("--user", help="the runtime user's name, for images pyenvc does not know")
    parser.add_argument("--uid", type=_uid, help="the runtime user's numeric uid")
    parser.add_argument("--home", help="the runtime user's home directory (venvs go to HOME/.venv/NAME)")
    parser.add_argument("--python-flavour", metavar="FLAVOUR", help="the python image flavour, e.g. slim-bookworm")
    parser.add_argument("--no-astro", dest="astro", action="store_false", help="switch the Astro Runtime rewrite off")
    parser.add_argument("--runtime-image", metavar="REPO", action="append", default=[],
                        help="another repository to treat as Astro Runtime (repeatable)")
    parser.add_argument("--format", default="text", choices=("text", "json"), help="diagnostics for people or machines")
    return parser


def _compile(argv: Sequence[str]) -> int:
    args = _compile_parser().parse_args(argv)
    problem = lowering.check_options(
        args.layout, args.installer, args.uid, args.home, args.python_flavour, args.user, args.uv_image
    )
    if problem is not None:
        raise UsageError(problem)
    if (args.check or args.diff) and (args.output is None or args.output == "-"):
        raise UsageError("--check and --diff compare with an output file: give -o OUT")
    text = read_input(args.file)
    display = "<stdin>" if args.file == "-" else args.file
    context = args.context
    if context is None and args.file != "-":
        context = os.path.dirname(args.file) or "."
    if context is not None and not os.path.isdir(context):
        raise UsageError(f"build context {context} is not a directory")
    result = lowering.compile(
        text,
        path=args.file,
        context=context,
        build_args=dict(args.build_arg),
        layout=args.layout,
        installer=args.installer,
        uv_image=args.uv_image,
        user=args.user,
        uid=args.uid,
        home=args.home,
        python_flavour=args.python_flavour,
        astro=args.astro,
        runtime_images=args.runtime_image,
    )
    source = Source(text, display)
    if result.diagnostics or args.format == "json":
        _report(result.diagnostics, source, args.format)
    if has_errors(result.diagnostics) or result.output is None:
        return 1
    data = encode(result.output)
    if args.check or args.diff:
        current = _read_existing(args.output)
        if args.diff and current != data:
            _write_stdout(encode(_diff(current, data, args.output)))
        if args.check and current != data:
            why = "is missing" if current is None else "differs from what would be generated"
            stderr_line(f"{args.output} {why} (run `pyenvc {args.file} -o {args.output}`)")
            return 1
        return 0
    if args.output is None or args.output == "-":
        _write_stdout(data)
    else:
        write_atomic(args.output, data)
    return 0


def _parse(argv: Sequence[str]) -> int:
    import json

    from pyenvc.docker.buildkit import to_buildkit
    from pyenvc.syntax.parser import ParseError, parse

    parser = ArgumentParser(prog=f"{PROG} parse", description="Print Docker's view of a Dockerfile.")
    parser.add_argument("file", metavar="FILE", help="the Dockerfile; - for stdin")
    parser.add_argument("--format", default="buildkit-json", choices=("buildkit-json",))
    parser.add_argument("--diagnostics-format", default="text", choices=("text", "json"))
    args = parser.parse_args(argv)
    text = read_input(args.file)
    source = Source(text, "<stdin>" if args.file == "-" else args.file)
    try:
        tree = parse(text)
    except ParseError as error:
        _report(list(error.diagnostics), source, args.diagnostics_format)
        return 1
    _write_stdout(encode(json.dumps(to_buildkit(tree), indent=1, ensure_ascii=False) + "\n"))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: _dispatch(argv))


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
    else:
        command, rest = "compile", argv
    if command == "compile":
        return _compile(rest)
    if command == "parse":
        return _parse(rest)
    if command == "check-dags":
        from pyenvc.dags.check import run as check_dags

        return check_dags(rest)
    from pyenvc.commands.build import run as build

    return build(rest)
