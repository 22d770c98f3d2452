"""Fuzzing the command line: random argv lists, run in this process through the real entry point
(`pyenvc.commands.main.main`) in a scratch folder, with random stdin.

    python fuzz/fuzz_argv.py -max_total_time=300 WORKDIR

Words come from the commands' own flags (read from their parsers, so a new flag is fuzzed
unchanged), file names that exist or do not, devices, and random text. `pyenvc build` is left
out: it runs Docker; so is an endless input such as /dev/zero as FILE (read until memory runs
out, as `cat` would). Each run must exit 0, 1 or 2 with no traceback or internal error; leave
the folder as it was unless it exits 0; and a usage or I/O error is one line. A crash is saved
by libFuzzer as `crash-*`; `python fuzz/fuzz_argv.py --save crash-* NAME` writes it as
fuzz/regressions/argv/NAME.json (the argv and stdin, readable), which
tests/test_fuzz_regressions.py replays.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys
import tempfile

FUZZ = os.path.dirname(os.path.abspath(__file__))
# calls.py and draw.py; tests/support.py, for the tests' own in-process run (it needs pytest, as .venv has)
sys.path[:0] = [FUZZ, os.path.join(os.path.dirname(FUZZ), "tests")]
import calls  # noqa: E402
from draw import Draw  # noqa: E402
from support import run_cli  # noqa: E402

with calls.instrumented(__name__ == "__main__"):
    import pyenvc.commands.check_dags
    import pyenvc.pipeline
    from pyenvc.commands import main as cli

from pyenvc.commands import check_dags  # noqa: E402

FILES = {
    "Dockerfile": "FROM debian\nPYENV 3.11 a r.txt\nPYENV 3.12 b\n",
    "astro/Dockerfile": "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 etl\n",
    "astro/requirements.txt": "", "astro/packages.txt": "",
    "bad/Dockerfile": "PYENV 3.11 a\nFROM x\n",
    "r.txt": "requests\n",
    "dags/dag.py": "from airflow.decorators import task\n@task.venv('a')\ndef f():\n    import json\n",
    "out.txt": "old\n",
}


def _flags() -> list[str]:
    parsers = [cli._compile_parser(), check_dags._arguments()]
    return sorted({s for p in parsers for a in p._actions for s in a.option_strings} | {"--diagnostics-format", "--format"})


FLAGS = _flags()
VALUES = [
    "Dockerfile", "astro/Dockerfile", "bad/Dockerfile", "-", "out.txt", "new.txt", "astro", "dags", "dags/dag.py", ".",
    "nonexistent", "r.txt", "/dev/null", "--output=/dev/full", "--output=/proc/version", "3.11", "K=V", "K", "inline", "stages", "pip", "uv",
    "text", "json", "buildkit-json", "0", "50000", "/home/app", "app", "slim-bookworm", "quay.io/me/rt",
]
COMMANDS = [[], ["compile"], ["parse"], ["check-dags"]]


def _word(draw: Draw) -> str:
    kind = draw.below(6)
    if kind == 0:
        word = draw.text(10)
        if word.startswith("/"):  # random text stays inside the scratch folder
            word = "." + word
        return word.replace("..", "__")
    if kind in (1, 2):
        return draw.pick(FLAGS)
    if kind == 3:
        return draw.pick(FLAGS) + "=" + draw.pick(VALUES)
    return draw.pick(VALUES)


def draw_call(data: bytes) -> dict:
    draw = Draw(data)
    argv = draw.pick(COMMANDS) + [_word(draw) for _ in range(draw.below(7))]
    if argv and argv[0] == "build":
        argv[0] = "compile"
    stdin = draw.pick(["", FILES["Dockerfile"], FILES["bad/Dockerfile"], draw.text(40)])
    return {"argv": argv, "stdin": stdin}


def _snapshot(root: str) -> dict:
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            with_data = os.path.isfile(path) and not os.path.islink(path)
            found[os.path.relpath(path, root)] = pathlib.Path(path).read_bytes() if with_data else None
    return found


def _fresh_folder() -> str:
    root = tempfile.mkdtemp(prefix="pyenvc-fuzz-argv-")
    for name, body in FILES.items():
        os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
        pathlib.Path(root, name).write_text(body)
    return root


def check_call(call: dict) -> None:
    root = _fresh_folder()
    here = os.getcwd()
    os.chdir(root)
    try:
        before = _snapshot(root)
        code, _, err = run_cli(call["argv"], call["stdin"].encode("utf-8", "surrogateescape"))
        after = _snapshot(root)
    finally:
        os.chdir(here)
        shutil.rmtree(root, ignore_errors=True)
    if code not in (0, 1, 2):
        raise AssertionError(f"exit {code!r}")
    if "Traceback" in err or "internal error" in err:
        raise AssertionError(f"a crash: {err}")
    if code != 0 and after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        raise AssertionError(f"exit {code} but the folder changed: {changed}")
    errors = [line for line in err.split("\n") if line.startswith("pyenvc: error:")]
    if code == 2 and errors and not err.endswith(errors[-1] + "\n"):
        raise AssertionError(f"a usage or I/O error is not one line at the end: {err!r}")
    if len(errors) > 1:
        raise AssertionError(f"more than one error line: {err!r}")


def check(data: bytes) -> None:
    check_call(draw_call(data))


if __name__ == "__main__":
    calls.main("argv", draw_call, check)
