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
import sys
from typing import Optional, Sequence

from pyenvc.commands import flags
from pyenvc.commands.console import (
    PROG, ArgumentParser, HelpFormatter, UsageError, build_arg, compile_and_report, decode, encode, guarded, one_line,
    refuse_nul, report, stderr_line, write_stdout,
)
from pyenvc.commands.files import existing_output, input_identity, read_input, read_output, write_atomic
from pyenvc.source import Source

COMMANDS = ("compile", "parse", "check-dags", "build")


def _diff(old: Optional[bytes], new: bytes, name: str) -> str:
    import difflib

    a = decode(old).splitlines(keepends=True) if old is not None else []
    b = decode(new).splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(a, b, f"{name} (current)", f"{name} (generated)"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


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
        write_stdout(encode(f"{parser.prog} {_version()}\n"))
        parser.exit()


class _CommandsFormatter(HelpFormatter, argparse.RawDescriptionHelpFormatter):
    """The help formatter, keeping the description's table of commands as written."""


_COMMANDS_HELP = """\
Compile PYENV instructions in a Dockerfile into a standard Dockerfile.

commands:
  pyenvc [compile] FILE [-o OUT]        compile (the default command: `pyenvc FILE`)
  pyenvc parse FILE                     print Docker's view of a Dockerfile as BuildKit JSON
  pyenvc check-dags DOCKERFILE PATH...  check DAG files against the Dockerfile's PYENV lines
  pyenvc build [OPTIONS] CONTEXT        compile, then `docker build` the result
Run `pyenvc COMMAND --help` for a command's options. A file named like a command compiles as
`pyenvc compile build` or `pyenvc ./build`. The options below are compile's.
"""


def _compile_parser(prog: str = PROG) -> ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description=_COMMANDS_HELP,
        epilog="Exit codes: 0 ok, 1 errors in the input or --check found a difference, 2 usage, I/O or internal error.",
        formatter_class=_CommandsFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("file", metavar="FILE", help="the Dockerfile with PYENV lines; - for stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="where to write the result; - or absent: stdout")
    parser.add_argument("--check", action="store_true", help="exit 1 when OUT is missing or differs; write nothing")
    parser.add_argument("--diff", action="store_true", help="print a unified diff of OUT against the result; write nothing")
    parser.add_argument("--fail-on-change", action="store_true",
                        help="write OUT, and exit 1 when that created or changed it (for pre-commit hooks: "
                        "the commit stops until the new file is added)")
    parser.add_argument("--build-arg", metavar="K=V", action="append", default=[], type=build_arg,
                        help="an ARG value for resolving FROM (repeatable)")
    parser.add_argument("--context", metavar="DIR", help="the build context (default: FILE's folder; none for stdin)")
    flags.add_lowering_options(parser)
    flags.add_format(parser)
    return parser


def _compile(argv: Sequence[str], prog: str = PROG) -> int:
    args = _compile_parser(prog).parse_args(argv)  # option values are checked here (the table's validators)
    if (args.check or args.diff or args.fail_on_change) and (args.output is None or args.output == "-"):
        raise UsageError("--check, --diff and --fail-on-change compare with an output file: give -o OUT")
    writes = args.output is not None and args.output != "-"
    source = input_identity(args.file)
    if writes:  # before reading: a bad OUT is known at once, even while stdin has not ended
        existing_output(args.output, source, "compare with" if args.check or args.diff else "write")
    text = read_input(args.file)
    display = "<stdin>" if args.file == "-" else args.file
    context = args.context
    if context is None and args.file != "-" and source is not None:  # a pipe (`<(cat Dockerfile)`) has no folder, as stdin has none
        context = os.path.dirname(args.file) or "."
    if context is not None and not os.path.isdir(context):
        raise UsageError(f"build context {context} is not a directory")
    result = compile_and_report(
        text, display, args.format, path=args.file if source is not None else "-",  # a pipe is no file to edit
        context=context, build_args=dict(args.build_arg),
        **flags.keywords(args),
    )
    if result is None:
        return 1
    data = encode(result.output)
    if args.check or args.diff:
        current = read_output(args.output, source)
        if args.diff and current != data:
            write_stdout(encode(_diff(current, data, args.output)))
        if args.check and current != data:
            why = "is missing" if current is None else "differs from what would be generated"
            stderr_line(one_line(f"{args.output} {why} (run `pyenvc {args.file} -o {args.output}`)"))
            return 1
        return 0
    if writes:
        existed = os.path.lexists(args.output)
        if write_atomic(args.output, data, source) and args.fail_on_change:
            done = "changed" if existed else "created"
            stderr_line(f"{PROG}: {done} {args.output} from {display}: add it (`git add {args.output}`) and commit again")
            return 1
    else:
        write_stdout(data)
    return 0


def _parse(argv: Sequence[str]) -> int:
    import json

    from pyenvc.syntax.view import to_buildkit
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
        report(list(error.diagnostics), source, args.diagnostics_format)
        return 1
    write_stdout(encode(json.dumps(to_buildkit(tree), indent=1, ensure_ascii=False) + "\n"))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: _dispatch(argv))


def _dispatch(argv: list[str]) -> int:
    refuse_nul(argv)
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
    else:
        command, rest = "compile", argv
    if command == "compile":
        return _compile(rest, PROG if rest is argv else f"{PROG} compile")
    if command == "parse":
        return _parse(rest)
    if command == "check-dags":
        from pyenvc.commands.check_dags import run as check_dags

        return check_dags(rest)
    from pyenvc.commands.build import run as build

    return build(rest)
