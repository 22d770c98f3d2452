"""Whole-process start-up: `pyenvc` compiling examples/astro-project/Dockerfile.pyenv against
`python -c pass` on the same interpreter, measured in the same run.

    python bench/startup.py [--pairs 30] [--python .venv/bin/python]

The two commands run in turn (A B A B ...), each pair's ratio A/B is taken, and the median
ratio is printed, with the median times; pairing keeps the ratio meaningful while the machine's
speed drifts. For reference, the same for `import attrs` and `import lark` alone, the two
dependencies' share of the start-up.

Bytecode: the package is byte-compiled first (compileall, whatever PYTHONDONTWRITEBYTECODE
says), so each run reads bytecode as an installed package would; one warm-up run of each
command is not counted (the first `pyenvc` run may also generate the parser, see
pyenvc/syntax/parser.py).
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "astro-project" / "Dockerfile.pyenv"


def seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def paired(a: list[str], b: list[str], pairs: int) -> tuple[float, float, float]:
    """Median of A's times, of B's, and of the pair-by-pair ratios A/B."""
    seconds(a), seconds(b)  # warm-up, not counted
    times_a, times_b, ratios = [], [], []
    for _ in range(pairs):
        ta = seconds(a)
        tb = seconds(b)
        times_a.append(ta)
        times_b.append(tb)
        ratios.append(ta / tb)
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--python", default=sys.executable, help="the interpreter with pyenvc installed")
    args = parser.parse_args()
    compileall.compile_dir(str(PROJECT / "compiler"), quiet=1)
    python = args.python
    bare = [python, "-c", "pass"]
    script = Path(python).parent / "pyenvc"  # the console script beside the interpreter, as installed
    command = [str(script)] if script.is_file() else [python, "-m", "pyenvc"]
    rows = {
        f"{Path(command[-1]).name} {EXAMPLE.relative_to(PROJECT)}": [*command, str(EXAMPLE)],
        "python -c 'import attrs'": [python, "-c", "import attrs"],
        "python -c 'import lark'": [python, "-c", "import lark"],
    }
    print(f"{args.pairs} pairs each against `python -c pass` ({python}); medians")
    for name, argv in rows.items():
        a, b, ratio = paired(argv, bare, args.pairs)
        print(f"  {name:50s} {a * 1000:6.1f} ms  python -c pass {b * 1000:5.1f} ms  ratio {ratio:4.2f}x")


if __name__ == "__main__":
    main()
