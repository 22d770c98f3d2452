"""The command line's files, through the real `pyenvc` process: outputs that are no regular file
or are the input itself, pipes as input, signals during a write, a closed or full stdout or disk,
inputs that never end, and errors that name the real cause."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

from support import missing_prerequisite, run_pyenvc, without_root_overrides

GOOD = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 a reqs.txt\n"


@pytest.fixture()
def project(tmp_path):
    for name, text in (("Dockerfile", GOOD), ("reqs.txt", "requests\n"), ("packages.txt", ""), ("requirements.txt", "")):
        (tmp_path / name).write_text(text)
    return tmp_path


def _one_error(result, start: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("pyenvc: error: " + start) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _special(project, kind: str):
    """A file of each kind that is not a regular file, made in the test's own folder (never the
    machine's /dev/null: a regression would replace it)."""
    path = project / kind
    if kind == "chardev":
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device's numbers
        except OSError as error:
            missing_prerequisite(f"cannot make a device node: {error}")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        _BOUND.append(server)  # bound while the test runs
    else:
        path.mkdir()
    return path


_BOUND: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_sockets():
    yield
    while _BOUND:
        _BOUND.pop().close()


WHAT = {"chardev": "a character device", "fifo": "a FIFO (named pipe)", "socket": "a socket", "dir": "a directory"}


@pytest.mark.parametrize("kind", ["chardev", "fifo", "socket", "dir"])
@pytest.mark.parametrize("mode", [[], ["--check"], ["--diff"], ["--check", "--diff"]])
def test_an_output_that_is_no_regular_file_exits_2_and_never_hangs(project, kind, mode) -> None:
    path = _special(project, kind)
    before = os.lstat(path)
    result = run_pyenvc(["Dockerfile", "-o", kind, *mode], project, timeout=20)
    action = "compare with" if mode else "write"
    _one_error(result, f"cannot {action} {kind}: it is {WHAT[kind]}, not a regular file")
    after = os.lstat(path)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino)  # untouched
    assert result.stdout == "" and _leftovers(project) == []


def test_stdout_by_its_device_name_points_at_dash(project) -> None:
    device = _special(project, "chardev")  # the test's own node: a regression must not replace /dev/null
    with open(device, "w") as stdout:  # /dev/stdout is then that device: refused, untouched
        result = run_pyenvc(["Dockerfile", "-o", "/dev/stdout"], project, stdout=stdout)
    _one_error(result, "cannot write /dev/stdout: it is a character device, not a regular file (`-o -` writes to stdout)")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_link_to_a_device_is_refused_too(project) -> None:
    _special(project, "chardev")
    os.symlink("chardev", project / "link")
    _one_error(run_pyenvc(["Dockerfile", "-o", "link"], project), "cannot write link: it is a character device")
    assert stat.S_ISCHR(os.stat(project / "chardev").st_mode)


def _same_file_names(project) -> list[str]:
    (project / "sub").mkdir()
    os.symlink("Dockerfile", project / "soft")
    os.link(project / "Dockerfile", project / "hard")
    return ["Dockerfile", "./Dockerfile", "sub/../Dockerfile", str(project / "Dockerfile"), "soft", "hard"]


@pytest.mark.parametrize("mode", [[], ["--check"], ["--diff"]])
def test_an_output_that_is_the_input_itself_exits_2(project, mode) -> None:
    names = _same_file_names(project)
    for name in names if not mode else names[-2:]:  # every spelling once; --check and --diff on the links
        result = run_pyenvc(["Dockerfile", "-o", name, *mode], project)
        _one_error(result, f"cannot {'compare with' if mode else 'write'} {name}: it is the input file")
        assert (project / "Dockerfile").read_text() == GOOD
    with open(project / "Dockerfile") as stdin:  # the input as stdin is still the input
        _one_error(run_pyenvc(["-", "-o", "hard"], project, stdin=stdin), "cannot write hard: it is the input file")
    assert (project / "Dockerfile").read_text() == GOOD and _leftovers(project) == []


def test_a_pipe_as_input_keeps_working(project) -> None:
    """`pyenvc <(cat Dockerfile)` reads /dev/fd/N, a pipe; it has no folder to be a context, as
    stdin has none, so no warning talks of /dev/fd."""
    expected = run_pyenvc(["-"], project, stdin=open(project / "Dockerfile"))
    assert expected.returncode == 0 and expected.stdout
    shell = f'exec "{sys.executable}" -m pyenvc <(cat Dockerfile) "$@"'
    # a diagnostic names its input as given (`<stdin>`, `/dev/fd/63`); what it says is the same
    label = re.compile(r"^(?:<stdin>|/dev/fd/[0-9]+):", re.MULTILINE)
    for extra in ([], ["-o", "out"]):
        result = subprocess.run(["bash", "-c", shell, "bash", *extra], cwd=project, capture_output=True, text=True, timeout=60)
        said = label.sub("-:", result.stderr)
        assert result.returncode == 0 and said == label.sub("-:", expected.stderr), result.stderr
        assert "/dev/fd" not in said
        produced = (project / "out").read_text() if extra else result.stdout
        assert produced == expected.stdout
    fifo = project / "named-pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat Dockerfile > {fifo.name}"], cwd=project)
    result = run_pyenvc([fifo.name], project, timeout=20)  # a named pipe as input: read to its end
    writer.wait(timeout=20)
    assert (result.returncode, result.stdout) == (0, expected.stdout), result.stderr


# ---------------------------------------------------------------------------------------------
# Signals during the write

PAUSED = """
import os, sys, time
from pyenvc.commands import run
real = getattr(os, sys.argv[1])
def paused(*args):
    if sys.argv[1] == "write":
        real(args[0], bytes(args[1][:10]))  # a part is in the temporary file
    open(sys.argv[2], "w").close()  # tell the test: the write is in progress
    time.sleep(60)
    return real(*args)
setattr(os, sys.argv[1], paused)
sys.exit(run(sys.argv[3:]))
"""


def _default_stops() -> None:
    """The child starts with the stop signals at their defaults: under `nohup` (SIGHUP) or in a
    shell's background job (SIGINT) they come ignored, and an ignored signal stays ignored in
    pyenvc, as it should."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("step", "signum", "existing"),
    [
        ("write", signal.SIGINT, True), ("write", signal.SIGTERM, False), ("write", signal.SIGHUP, True),
        ("fchmod", signal.SIGTERM, True), ("fsync", signal.SIGINT, False), ("fsync", signal.SIGTERM, True),
    ],
)
def test_a_signal_during_the_write_leaves_no_temporary_file(project, tmp_path_factory, step, signum, existing) -> None:
    """The real command, paused inside its write with a part of the output in the temporary
    file, gets the signal: it removes the temporary file, keeps OUT as it was, says so in one
    line and exits 2 (the spec's code for an I/O failure)."""
    ready = tmp_path_factory.mktemp("signal") / "ready"
    if existing:
        (project / "out").write_text("old\n")
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED, step, str(ready), "Dockerfile", "-o", "out"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_stops,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)
    assert len(_leftovers(project)) == 1  # the temporary file exists while the write is paused
    process.send_signal(signum)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 2, err
    name = signal.Signals(signum).name
    assert err == ("pyenvc: interrupted\n" if signum == signal.SIGINT else f"pyenvc: interrupted by {name}\n")
    assert _leftovers(project) == []
    assert (project / "out").read_text() == "old\n" if existing else not (project / "out").exists()


# ---------------------------------------------------------------------------------------------
# A closed or full stdout, a full or read-only disk


def _closed_stdout(argv, cwd):
    def close_stdout() -> None:
        os.close(1)

    return subprocess.run([sys.executable, "-m", "pyenvc", *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, preexec_fn=close_stdout, timeout=60)


STDOUT_COMMANDS = [
    ["Dockerfile"],
    ["parse", "Dockerfile"],
    ["check-dags", "Dockerfile", "dag.py"],
    ["Dockerfile", "-o", "out", "--diff"],
    ["build", "--help"],
    ["--help"],
    ["--version"],
    ["check-dags", "--help"],
]


@pytest.mark.parametrize("argv", STDOUT_COMMANDS)
def test_a_closed_stdout_is_one_line_exit_2(project, argv) -> None:
    (project / "dag.py").write_text("from airflow.sdk import task\n@task.venv('b')\ndef f(): pass\n")
    result = _closed_stdout(argv, project)
    _one_error(result, "cannot write to stdout: it is closed")
    assert sorted(p.name for p in project.iterdir()) == ["Dockerfile", "dag.py", "packages.txt", "reqs.txt", "requirements.txt"]


@pytest.mark.parametrize("argv", STDOUT_COMMANDS)
def test_a_full_stdout_is_one_line_exit_2(project, argv) -> None:
    (project / "dag.py").write_text("from airflow.sdk import task\n@task.venv('b')\ndef f(): pass\n")
    if not os.path.exists("/dev/full"):
        missing_prerequisite("no /dev/full")
    with open("/dev/full", "w") as full:
        result = run_pyenvc(argv, project, stdout=full)
    _one_error(result, "cannot write to stdout: No space left on device")


def test_a_closed_stderr_keeps_the_exit_code_and_stdout_clean(project) -> None:
    (project / "Dockerfile").write_text("FROM x\nPYENV 3.11 a;b\n")
    result = subprocess.run([sys.executable, "-m", "pyenvc", "Dockerfile"], cwd=project, capture_output=True,
                            preexec_fn=lambda: os.close(2), timeout=60)
    assert (result.returncode, result.stdout) == (1, b"")


def _in_own_mounts(script: str, project) -> str:
    """Run `script` (sh) in a mount namespace of its own, where it may mount a tmpfs that
    disappears with it; its stdout. Root (CAP_SYS_ADMIN) and unshare(1) are needed."""
    try:
        result = subprocess.run(["unshare", "--mount", "sh", "-c", script, "sh", sys.executable], cwd=project,
                                capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        missing_prerequisite("unshare(1) is not installed")
    if "MOUNTED" not in result.stdout:
        missing_prerequisite(f"cannot mount a tmpfs in a mount namespace of its own: {result.stderr.strip()}")
    return result.stdout


def test_a_full_disk_is_one_line_exit_2_and_keeps_the_old_output(project) -> None:
    (project / "disk").mkdir()
    out = _in_own_mounts(
        "mount -t tmpfs -o size=16k tmpfs disk && echo MOUNTED && printf 'old\\n' > disk/out"
        " && (head -c 1048576 /dev/zero > disk/fill) 2>/dev/null;"
        ' "$1" -m pyenvc Dockerfile -o disk/out 2>&1; echo "rc=$?"; cat disk/out; ls -a disk',
        project,
    )
    lines = out.splitlines()
    assert lines[1:] == [
        "pyenvc: error: cannot write disk/out: No space left on device", "rc=2", "old", ".", "..", "fill", "out",
    ], out


def test_a_read_only_file_system_is_named(project) -> None:
    (project / "ro").mkdir()
    out = _in_own_mounts(
        'mount -t tmpfs -o ro tmpfs ro && echo MOUNTED; "$1" -m pyenvc Dockerfile -o ro/out 2>&1; echo "rc=$?"; ls -a ro',
        project,
    )
    assert out.splitlines()[1:] == [
        "pyenvc: error: cannot write ro/out: cannot create a file in ro: Read-only file system", "rc=2", ".", "..",
    ], out


# ---------------------------------------------------------------------------------------------
# Errors that name the real cause


def test_each_write_error_names_its_cause(project) -> None:
    os.symlink("loop", project / "loop")
    os.symlink("nowhere/out", project / "dangling-far")
    (project / "ro").mkdir(mode=0o500)
    cases = {
        "/proc/version": "cannot write /proc/version: its folder /proc does not take new files",
        "nodir/out": "cannot write nodir/out: folder nodir does not exist",
        "Dockerfile/out": "cannot write Dockerfile/out: Dockerfile is not a directory",
        "reqs.txt/x/out": "cannot write reqs.txt/x/out: reqs.txt is not a directory",
        "loop": "cannot write loop: Too many levels of symbolic links",
        "dangling-far": "cannot write dangling-far: it is a symbolic link to nowhere/out, which does not exist",
        "ro/out": "cannot write ro/out: cannot create a file in ro: Permission denied",
    }
    for name, message in cases.items():
        result = run_pyenvc(["Dockerfile", "-o", name], project)
        _one_error(result, message)
        assert "No such file or directory" not in result.stderr
    assert os.path.islink(project / "loop") and _leftovers(project) == [] and list((project / "ro").iterdir()) == []


def test_a_dangling_link_as_output_creates_its_target_as_a_shell_does(project) -> None:
    os.symlink("made", project / "link")
    assert run_pyenvc(["Dockerfile", "-o", "link"], project).returncode == 0
    assert os.path.islink(project / "link")
    assert (project / "made").read_text() == run_pyenvc(["Dockerfile"], project).stdout


def test_each_read_error_names_its_cause(project) -> None:
    os.symlink("missing", project / "dangling")
    (project / "secret").write_text(GOOD)
    os.chmod(project / "secret", 0)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(project / "sock"))
    cases = {
        "missing": "cannot read missing: No such file or directory",
        "dangling": "cannot read dangling: it is a symbolic link to missing, which does not exist",
        "secret": "cannot read secret: Permission denied",
        "sock": "cannot read sock: it is a socket",
        ".": "cannot read .: it is a directory",
        "Dockerfile/x": "cannot read Dockerfile/x: Dockerfile is not a directory",
    }
    for name, message in cases.items():
        _one_error(run_pyenvc([name], project, timeout=20), message)
    server.close()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_input_that_never_ends_is_refused(project, device) -> None:
    if not os.path.exists(device):
        missing_prerequisite(f"no {device}")
    _one_error(run_pyenvc([device], project, timeout=30), f"cannot read {device}: it is larger than 64 MiB")
    with open(device) as endless:
        _one_error(run_pyenvc(["-"], project, stdin=endless, timeout=30), "cannot read stdin: it is larger than 64 MiB")


def test_an_input_at_the_limit_is_read_whole(project) -> None:
    """The limit refuses only what is past it (read in-process: compiling 64 MiB would take
    minutes and prove nothing more)."""
    from pyenvc.commands.console import UsageError
    from pyenvc.commands.files import MAX_INPUT, read_input

    (project / "big").write_bytes(b"# \xff" + b"c" * (MAX_INPUT - 4) + b"\n")
    assert len(read_input(str(project / "big"))) == MAX_INPUT
    with open(project / "big", "ab") as f:
        f.write(b"c")
    with pytest.raises(UsageError, match="larger than 64 MiB"):
        read_input(str(project / "big"))


def test_a_closed_stdin_is_one_line_exit_2(project) -> None:
    result = subprocess.run([sys.executable, "-m", "pyenvc", "-"], cwd=project, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0), timeout=60)
    _one_error(result, "cannot read stdin: it is closed")


def test_root_overrides_are_really_dropped(project) -> None:
    """The permission cases above prove something only if the child cannot read a mode-0 file."""
    (project / "secret").write_text("x")
    os.chmod(project / "secret", 0)
    child = subprocess.run(["cat", "secret"], cwd=project, capture_output=True, preexec_fn=without_root_overrides)
    assert child.returncode != 0
