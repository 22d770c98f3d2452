"""`pyenvc build`: compile a Dockerfile with PYENV lines and build it with Docker, in one command.

In: `docker build`'s own arguments (`pyenvc build [OPTIONS] CONTEXT`), plus pyenvc's lowering
options spelled `--pyenvc-OPTION` so they never clash with Docker's. Out: Docker's exit code.

What it does:
1. splits the arguments (`split`): Docker's flags are known by name, so a flag's value is never
   taken for the context, in both the `--flag value` and `--flag=value` forms; `-f FILE` is taken
   out (the source); `--pyenvc-*` options are taken out (ours); `--build-arg` values are read (for
   ARG resolution) but stay in Docker's arguments; everything else stays, unchanged and in order;
2. compiles FILE (default CONTEXT/Dockerfile.pyenv when the context has one, else
   CONTEXT/Dockerfile; `-f -` reads it from stdin) with CONTEXT as the build context, and warns
   when a generated `Dockerfile` beside a `Dockerfile.pyenv` differs from what it generates;
   diagnostics are printed as `pyenvc compile` prints them, and errors stop here (exit 1)
   before Docker runs;
3. runs `docker buildx build -f - ARGS...` (`docker build` where the buildx plugin is absent) with
   the generated Dockerfile on stdin; Docker's stdout is its own, its stderr is streamed through
   (through a pseudo-terminal when ours is one, so BuildKit's progress display is unchanged) and
   scanned for `Dockerfile:N` (the generated file's lines BuildKit names in errors);
4. after Docker exits, names the source line behind each such line (the compile's
   `Result.line_map`, from each generated line's provenance), and returns Docker's exit code as is.

Exit codes of its own: 1 the Dockerfile has errors (Docker not run), 2 usage or I/O problems and
Docker missing from PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from typing import Optional, Sequence

import attrs

from pyenvc.commands import flags
from pyenvc.commands.console import (
    PROG, ArgumentParser, UsageError, compile_and_report, encode, flush_stdout, guarded, stderr_line, write_stdout,
)
from pyenvc.commands.files import read_input
from pyenvc.syntax.printer import LineMap
from pyenvc.source import Source

# Docker's `build` flags that take a value (`docker build` and `docker buildx build`, including
# the legacy builder's and buildx's experimental ones). Every other flag is a switch: pflag gives
# a switch a value only as `--flag=value`.
VALUE_FLAGS = frozenset(
    """
    add-host allow annotation attest build-arg build-context builder cache-from cache-to call
    cgroup-parent cpu-period cpu-quota cpu-shares cpuset-cpus cpuset-mems file iidfile invoke
    isolation label memory memory-swap metadata-file network no-cache-filter output platform
    progress provenance root sbom secret security-opt server-config shm-size ssh tag target ulimit
    """.split()
)
SWITCH_FLAGS = frozenset(
    """
    check compress debug detach disable-content-trust force-rm load no-cache pull push quiet rm
    squash stream help
    """.split()
)
VALUE_SHORT = frozenset("ftomc")  # -f --file, -t --tag, -o --output, -m --memory, -c --cpu-shares
SWITCH_SHORT = frozenset("qDh")  # -q --quiet, -D --debug, -h --help
PREFIX = "--pyenvc-"


@attrs.frozen
class Invocation:
    """`pyenvc build`'s arguments, split."""

    docker: tuple[str, ...]  # Docker's arguments without -f, unchanged and in order (context included)
    file: Optional[str]  # the last -f/--file value, else None (CONTEXT/Dockerfile)
    context: Optional[str]  # the one positional argument
    build_args: dict  # --build-arg values, for pyenvc's ARG resolution
    own: tuple[str, ...]  # the --pyenvc-* options and their values, for `_own_parser()`
    help: bool = False  # -h or --help


def _own_parser() -> tuple[ArgumentParser, dict[str, bool]]:
    """The parser of the --pyenvc-* options and, for each of its option strings, whether it takes
    a value: the lowering options and --format, derived from the same table as `pyenvc
    compile`'s (same types, choices, defaults, help and validators), so the two cannot drift."""
    parser = ArgumentParser(prog=f"{PROG} build", add_help=False)
    takes_value = flags.add_lowering_options(parser, PREFIX)
    flags.add_format(parser, PREFIX)
    takes_value[PREFIX + "format"] = True
    return parser, takes_value


def _joined(own: Sequence[str], takes_value: dict[str, bool]) -> list[str]:
    """The --pyenvc-* options as `--flag=value`, so that argparse takes a value that starts
    with `-` for the value it is (and the validator says what is wrong with it)."""
    joined: list[str] = []
    words = iter(own)
    for name in words:
        joined.append(f"{name}={next(words)}" if takes_value[name] else name)
    return joined


def _environment_build_arg(text: str) -> Optional[tuple[str, str]]:
    """A --build-arg value as Docker reads it: `K=V`, or `K` alone taken from the environment
    (and dropped when the environment has no K)."""
    key, eq, value = text.partition("=")
    if eq:
        return key, value
    if key in os.environ:
        return key, os.environ[key]
    return None


_SECRET_KEYS = frozenset({"id", "src", "source", "env", "type", "required"})
_SECRET_ID = re.compile(r"[A-Za-z0-9._-]+\Z")


def _check_secret(value: str) -> None:
    """`--secret id=ID[,src=PATH|,env=VAR]`, as Docker takes it: refused here (exit 2) when it
    is not, so no malformed value reaches Docker. The ids pyenvc's steps mount are in
    lowering/generate.py (SECRETS)."""
    fields = dict(part.partition("=")[::2] for part in value.split(","))
    if not value or any(key not in _SECRET_KEYS for key in fields) or not _SECRET_ID.match(fields.get("id", "")):
        raise UsageError(f"invalid --secret '{value}': expected id=ID[,src=PATH] or id=ID,env=VARIABLE, ID letters, digits, '.', '_' or '-'")


def split(argv: Sequence[str], own_takes_value: Optional[dict[str, bool]] = None) -> Invocation:
    """Split `pyenvc build`'s arguments (without the command word); raises UsageError."""
    if own_takes_value is None:
        own_takes_value = _own_parser()[1]
    docker: list[str] = []
    own: list[str] = []
    positionals: list[str] = []
    unknown: list[str] = []
    build_args: dict[str, str] = {}
    file: Optional[str] = None
    wants_help = False
    args = list(argv)
    i = 0

    def value_of(flag: str) -> str:
        nonlocal i
        if i + 1 >= len(args):
            raise UsageError(f"flag needs an argument: {flag}")
        i += 1
        return args[i]

    def docker_value(flag: str, name: str, value: str, raw: list[str]) -> None:
        nonlocal file
        if name == "file":
            file = value
            return
        if name == "secret":
            _check_secret(value)
        if name == "build-arg":
            pair = _environment_build_arg(value)
            if pair is not None:
                build_args[pair[0]] = pair[1]
        docker.extend(raw)

    while i < len(args):
        arg = args[i]
        if arg == "--":
            positionals.extend(args[i + 1 :])
            docker.extend(args[i:])
            break
        if arg.startswith(PREFIX):
            name, eq, value = arg.partition("=")
            if name not in own_takes_value:
                choices = ", ".join(sorted(own_takes_value))
                raise UsageError(f"unknown option {name} (pyenvc's options are: {choices})")
            if own_takes_value[name]:
                own.extend([name, value if eq else value_of(name)])
            elif eq:
                raise UsageError(f"option {name} takes no value")
            else:
                own.append(name)
        elif arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name == "help":
                wants_help = True
            if name in VALUE_FLAGS and not eq:
                value = value_of(arg)
                docker_value(arg, name, value, [arg, value])
            elif name in VALUE_FLAGS:
                docker_value(arg, name, value, [arg])
            else:
                if name not in SWITCH_FLAGS:
                    unknown.append(arg)
                docker.append(arg)
        elif arg.startswith("-") and arg != "-":
            # pflag's short flags: switches may be combined (-qt NAME); a value follows its
            # letter (-tNAME, -t=NAME) or is the next argument
            letters = arg[1:]
            for k, letter in enumerate(letters):
                if letter in VALUE_SHORT:
                    rest = letters[k + 1 :]
                    name = {"f": "file", "t": "tag", "o": "output", "m": "memory", "c": "cpu-shares"}[letter]
                    if rest:
                        value = rest[1:] if rest.startswith("=") else rest
                        raw = [arg]
                    else:
                        value = value_of(f"-{letter}")
                        raw = [arg, value]
                    if name == "file" and k > 0:  # keep the switches before it for Docker
                        docker.append("-" + letters[:k])
                        raw = []
                    docker_value(f"-{letter}", name, value, raw)
                    break
                if letter == "h":
                    wants_help = True
                if letter not in SWITCH_SHORT:
                    unknown.append(f"-{letter}")
            else:
                docker.append(arg)
        else:
            positionals.append(arg)
            docker.append(arg)
        i += 1

    context = positionals[0] if len(positionals) == 1 else None
    if not wants_help and len(positionals) != 1:
        if not positionals:
            problem = "a build context is needed, e.g. `pyenvc build .`"
        else:
            problem = f"one build context is needed, got {len(positionals)}: {' '.join(positionals)}"
        if unknown:
            problem += f" (pyenvc took {', '.join(unknown)} for a flag without a value; write --flag=VALUE)"
        raise UsageError(problem)
    return Invocation(tuple(docker), file, context, build_args, tuple(own), wants_help)


SOURCE_NAME = "Dockerfile.pyenv"  # the file with PYENV lines, beside the Dockerfile it generates


def default_source(context: str) -> str:
    """The file to compile without -f: CONTEXT/Dockerfile.pyenv when there is one (the
    Dockerfile beside it is then the generated file), else CONTEXT/Dockerfile."""
    source = os.path.join(context, SOURCE_NAME)
    return source if os.path.isfile(source) else os.path.join(context, "Dockerfile")


def stale_output(source: str, generated: bytes) -> Optional[str]:
    """A warning when `source` is a `X.pyenv` whose generated `X` beside it differs from
    `generated` (what this build compiles it to); None otherwise."""
    if source == "-" or not source.endswith(".pyenv"):
        return None
    output = source[: -len(".pyenv")]
    try:
        with open(output, "rb") as f:
            current = f.read()
    except OSError:  # not there (or unreadable): nothing beside it to be stale
        return None
    if current == generated:
        return None
    return (
        f"{PROG}: warning: {output} is stale: it differs from what {source} generates (this build uses {source}); "
        f"run `{PROG} {source} -o {output}` to update it"
    )


def _help(parser: ArgumentParser) -> str:
    return (
        f"usage: {PROG} build [docker build options] [--pyenvc-OPTION ...] CONTEXT\n\n"
        "Compile the Dockerfile (-f FILE; default CONTEXT/Dockerfile.pyenv when there is one, else\n"
        "CONTEXT/Dockerfile; -f - for stdin) and build it:\n"
        "`docker buildx build -f - ...` with the generated Dockerfile on stdin and every other\n"
        "argument passed on unchanged. --build-arg values also resolve ARGs for pyenvc.\n"
        "Exit codes: Docker's; 1 errors in the Dockerfile (Docker not run); 2 usage, I/O, no docker.\n\n"
        + parser.format_help().split("\n\n", 1)[-1].replace("options:", "pyenvc's options:", 1)
    )


# -- Docker --------------------------------------------------------------------------------------

_PLUGIN_DIRS = (
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)


def has_buildx() -> bool:
    """Whether the Docker CLI has the buildx plugin: a file lookup in the directories the CLI
    searches (the user's config directory first), no process started."""
    config = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    for directory in (os.path.join(config, "cli-plugins"), *_PLUGIN_DIRS):
        path = os.path.join(directory, "docker-buildx")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return True
    return False


def docker_command(docker: str, invocation: Invocation, buildx: bool) -> list[str]:
    build = [docker, "buildx", "build"] if buildx else [docker, "build"]
    return [*build, "-f", "-", *invocation.docker]


# `Dockerfile:16` or `Dockerfile:16-18`: lines of the generated file in BuildKit's error excerpts
_REFERENCE = re.compile(r"^\s*Dockerfile:([0-9]+)(?:-([0-9]+))?\s*$")
# ` > [stage 3/7] RUN ...:` heads BuildKit's error block for a failed step
_STEP = re.compile(r"^\s*> \[[^\]]*\] (.+?):?\s*$")
_ESCAPES = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


class Scanner:
    """Reads Docker's stderr as it streams by and collects the generated file's lines it names."""

    def __init__(self) -> None:
        self.references: list[int] = []  # generated lines, in the order first named
        self.steps: list[str] = []  # instructions of failed steps (` > [stage N/M] INSTR:`)
        self._partial = b""

    def feed(self, data: bytes) -> None:
        lines = (self._partial + data).replace(b"\r", b"\n").split(b"\n")
        self._partial = lines.pop()[-4096:]
        for line in lines:
            self._line(line)

    def close(self) -> None:
        if self._partial:
            self._line(self._partial)
            self._partial = b""

    def _line(self, raw: bytes) -> None:
        line = _ESCAPES.sub("", raw.decode("utf-8", "replace"))
        found = _REFERENCE.match(line)
        if found is not None:
            number = int(found.group(1))
            if number not in self.references:
                self.references.append(number)
            return
        step = _STEP.match(line)
        if step is not None and step.group(1) not in self.steps:
            self.steps.append(step.group(1))


def _stream(command: list[str], dockerfile: bytes, env: dict[str, str], scanner: Scanner) -> int:
    """Run Docker with the Dockerfile on stdin; stream its stderr through and into `scanner`."""
    use_pty = hasattr(sys.stderr, "isatty") and sys.stderr.isatty() and os.name == "posix"
    out = getattr(sys.stderr, "buffer", None)
    flush_stdout()
    sys.stderr.flush()
    if use_pty:
        import pty

        master, slave = pty.openpty()
        _copy_window_size(sys.stderr.fileno(), slave)
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        source = master
    else:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        source = process.stderr.fileno()

    def feed_stdin() -> None:
        try:
            process.stdin.write(dockerfile)
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # Docker stopped before reading it: its own message says why

    writer = threading.Thread(target=feed_stdin, daemon=True)
    writer.start()
    interrupted = False
    while True:
        try:
            chunk = os.read(source, 65536)
        except KeyboardInterrupt:  # Docker got the SIGINT too: let it stop, keep its output
            interrupted = True
            continue
        except OSError:  # EIO: the pseudo-terminal's other side is closed
            break
        if not chunk:
            break
        scanner.feed(chunk)
        if out is not None:
            out.write(chunk)
            out.flush()
        else:
            sys.stderr.write(chunk.decode("utf-8", "replace"))
    scanner.close()
    if use_pty:
        os.close(master)
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
    writer.join(timeout=1)
    if code < 0:  # killed by a signal: as a shell reports it
        return 128 - code
    return 130 if interrupted and code == 0 else code


def _copy_window_size(from_fd: int, to_fd: int) -> None:
    """Give the pseudo-terminal our terminal's size (BuildKit fits its display to it), and no
    output processing: Docker's bytes reach our terminal as Docker wrote them."""
    try:
        import fcntl
        import termios

        size = fcntl.ioctl(from_fd, termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(to_fd, termios.TIOCSWINSZ, size)
        attributes = termios.tcgetattr(to_fd)
        attributes[1] &= ~termios.OPOST
        termios.tcsetattr(to_fd, termios.TCSANOW, attributes)
    except (ImportError, OSError):
        pass


# -- mapping BuildKit's lines back ---------------------------------------------------------------


def explain(scanner: Scanner, lines: LineMap, source: Source, output: str) -> list[str]:
    """For each generated line Docker named, the source line it came from, as text to print."""
    generated = output.split("\n")
    references = list(scanner.references)
    if not references:  # no excerpt: find the failed steps' instructions in the generated file
        for step in scanner.steps:
            found = [n for n, text in enumerate(generated, 1) if text.strip() == step.strip()]
            if len(found) == 1 and found[0] not in references:
                references.append(found[0])
    messages = []
    for number in references:
        line = lines.source_line(number)
        if line is None:
            continue
        what = "was generated from" if lines.is_generated(number) else "is"
        text = source.line_text(line).expandtabs(8).encode("utf-8", "backslashreplace").decode("utf-8")
        gutter = str(line)
        pad = " " * len(gutter)
        messages.append(
            f"{source.path}:{line}: note: Docker's Dockerfile:{number} {what} this line\n"
            f"{pad} |\n{gutter} | {text}\n{pad} |"
        )
    return messages


# -- the command ---------------------------------------------------------------------------------


def run(argv: Sequence[str]) -> int:
    """`pyenvc build ...`: argv without the command word; returns the exit code (never raises)."""
    return guarded(lambda: _run(argv))


def _run(argv: Sequence[str]) -> int:
    parser, takes_value = _own_parser()
    invocation = split(argv, takes_value)
    if invocation.help:
        write_stdout(encode(_help(parser)))
        return 0
    try:
        args = parser.parse_args(_joined(invocation.own, takes_value))
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 2
    context = invocation.context
    assert context is not None
    if context == "-" or re.match(r"^[a-z][a-z0-9+.-]*://|^git@", context):
        raise UsageError(
            f"build context {context}: pyenvc build needs a local directory "
            "(for another context, compile with `pyenvc FILE -o OUT` and run docker build -f OUT)"
        )
    if not os.path.isdir(context):
        raise UsageError(f"build context {context} is not a directory")
    docker = shutil.which("docker")
    if docker is None:
        raise UsageError("docker not found on PATH (pyenvc build runs `docker build`; install Docker 23+ with BuildKit)")

    file = invocation.file if invocation.file is not None else default_source(context)
    text = read_input(file)
    display = "<stdin>" if file == "-" else file
    result = compile_and_report(
        text, display, args.format, path=file, context=context, build_args=invocation.build_args,
        **flags.keywords(args),
    )
    if result is None:
        return 1
    source = Source(text, display)
    assert result.line_map is not None  # there with every output
    stale = stale_output(file, encode(result.output))
    if stale is not None:
        stderr_line(stale)

    buildx = has_buildx()
    env = dict(os.environ)
    if not buildx:
        env.setdefault("DOCKER_BUILDKIT", "1")  # the generated file needs BuildKit (RUN --mount)
    scanner = Scanner()
    try:
        code = _stream(docker_command(docker, invocation, buildx), encode(result.output), env, scanner)
    except OSError as error:
        raise UsageError(f"cannot run {docker}: {error.strerror or error}") from None
    messages = explain(scanner, result.line_map, source, result.output)
    for message in messages:
        stderr_line(message)
    return code


__all__ = ["Invocation", "Scanner", "docker_command", "explain", "has_buildx", "run", "split"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv[1:]))
