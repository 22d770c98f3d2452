"""What the fuzz targets whose input decodes into a call (fuzz_argv.py, fuzz_options.py) share:
atheris when it is installed, and their command line, which fuzzes or saves a crash as a readable
call that tests/test_fuzz_regressions.py replays.

Replaying needs no fuzzer: without atheris, or when a target is loaded rather than run, the
modules it checks are imported plainly.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import sys
from typing import Callable, ContextManager

try:
    import atheris
except ImportError:  # replaying saved inputs needs no fuzzer
    atheris = None

FUZZ = pathlib.Path(__file__).resolve().parent


def instrumented(fuzzing: bool) -> ContextManager:
    """Around a target's imports of the modules it checks: atheris instruments them when
    `fuzzing` (the target runs as the script) and atheris is installed. The modules themselves
    are named: pyenvc's names load lazily."""
    if fuzzing and atheris is not None:
        return atheris.instrument_imports()
    return contextlib.nullcontext()


def main(target: str, draw_call: Callable[[bytes], dict], check: Callable[[bytes], None]) -> None:
    """`python fuzz/fuzz_TARGET.py [libFuzzer options] WORKDIR` fuzzes `check`;
    `python fuzz/fuzz_TARGET.py --save CRASH NAME` writes the call `draw_call` makes of the
    crash's bytes as fuzz/regressions/TARGET/NAME.json."""
    if sys.argv[1:2] == ["--save"]:
        crash, name = sys.argv[2], sys.argv[3]
        call = draw_call(pathlib.Path(crash).read_bytes())
        folder = FUZZ / "regressions" / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(call, indent=1) + "\n")
        return
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()
