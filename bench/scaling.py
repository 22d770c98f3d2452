"""How compile time, output size and check-dags' time and memory grow with the input, in one run.

    python bench/scaling.py [--steps 4] [--dag-mb 0.5] [--rounds 3]   (--dag-mb 0: compile figures only)

Each figure is measured at 1x, 2x, 4x ... of a base size (`--steps` sizes, doubling), and
printed per unit of input, with the per-unit cost at the largest size against the smallest: a
linear cost stays near 1.0x, a quadratic one doubles with each step (8x input: ~8x per unit).

- compile time per stage: stages FROM an image between a chain of stages, each FROM the one
  before, with an ENV, a PYENV and a `COPY --from=N` (stage lookups, the USER in effect,
  renumbering);
- compile time and output bytes per PYENV: one stage of ARG, ENV, PYENV triples (what each venv
  stage carries of the stage before it);
- compile time per line: plain RUN lines, no PYENV (the parser and the printer);
- check-dags time per MB of DAG file and its peak memory (ru_maxrss of its own process) against
  the file's size, with `python -c "ast.parse(file)"` as the peer: what a whole-file parse costs.

Compile times are the best of `--rounds` in this process; check-dags runs as a subprocess per
size (the command as users run it). Never run in CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

PROJECT = Path(__file__).resolve().parent.parent
BASE = "quay.io/astronomer/astro-runtime:12.1.0"


def chain_of_stages(n: int) -> str:
    """Every other stage FROM an image (its FROM is looked up among every earlier stage's name),
    the others a chain, each FROM the one before, with an ENV, a PYENV and a `COPY --from=N`."""
    lines = [f"FROM {BASE} AS s0\n"]
    for i in range(1, n):
        if i % 2:
            lines.append(f"FROM {BASE} AS image{i}\nRUN true\n")
        else:
            lines.append(f"FROM s{i - 2} AS s{i}\nENV X{i}=1\nPYENV 3.11 v{i}\nCOPY --from={i - 1} /a /b{i}\n")
    return "".join(lines)


def pyenv_triples(n: int) -> str:
    return f"FROM {BASE}\n" + "".join(f"ARG A{i}=x\nENV E{i}=y\nPYENV 3.11 v{i}\n" for i in range(n))


def plain_lines(n: int) -> str:
    return "FROM python:3.12-slim\n" + "".join(f"RUN echo {i} && true\n" for i in range(n - 1))


def dag_file(megabytes: float) -> str:
    """A DAG file of about `megabytes`: venv tasks, a module constant, a SQL text at column 0."""
    head = 'from airflow.sdk import dag, task\nVENV = "v1"\n\n@dag\ndef big():\n    pass\n\n'
    block = (
        '@task.venv("v1")\ndef t{i}(x):\n    """Doc {i}."""\n    import json\n'
        '    return json.dumps({{"a": [x, {i}, "s"], "b": x * 2}})\n\n'
        'o{i} = task.venv(VENV)(t{i})\nSQL{i} = """\nSELECT {i}\nFROM t\n"""\n\n'
    )
    size = int(megabytes * 1e6)
    parts, total, i = [head], len(head), 0
    while total < size:
        part = block.format(i=i)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def best(function: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def child(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        sys.exit(f"{argv} exited {process.returncode}")
    return seconds, usage.ru_maxrss * 1024  # Linux reports KiB


def growth(title: str, unit: str, sizes: list, values: list, scale: float = 1.0, fmt: str = "{:.3f}") -> None:
    per = [v / s for v, s in zip(values, sizes)]
    row = "  ".join(f"{s:g}: {fmt.format(p * scale)}" for s, p in zip(sizes, per))
    print(f"{title:34s} {row}  {unit}; {sizes[-1] / sizes[0]:g}x input: {per[-1] / per[0]:.2f}x per unit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="sizes, doubling (4: 1x, 2x, 4x, 8x)")
    parser.add_argument("--stages", type=int, default=100, help="stages at 1x")
    parser.add_argument("--pyenvs", type=int, default=50, help="ARG+ENV+PYENV triples at 1x")
    parser.add_argument("--lines", type=int, default=2000, help="RUN lines at 1x")
    parser.add_argument("--dag-mb", type=float, default=0.5, help="DAG file size at 1x, in MB (0: skip check-dags)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    import pyenvc

    factors = [2**k for k in range(args.steps)]
    print(f"sizes {', '.join(f'{f}x' for f in factors)}; compile times best of {args.rounds}")
    pyenvc.compile(pyenv_triples(2))  # warm the parser's cache and the imports

    for title, make, base in (
        ("compile, per stage", chain_of_stages, args.stages),
        ("compile, per PYENV", pyenv_triples, args.pyenvs),
        ("compile, per line", plain_lines, args.lines),
    ):
        sizes = [base * f for f in factors]
        texts = [make(n) for n in sizes]
        seconds = [best(lambda t=t: pyenvc.compile(t), args.rounds) for t in texts]
        growth(title, "ms", sizes, seconds, 1000)
        if make is pyenv_triples:
            output = [len((pyenvc.compile(t).output or "").encode()) for t in texts]
            growth("output, bytes per PYENV", "B", sizes, output, fmt="{:.0f}")

    if args.dag_mb <= 0:
        return
    with tempfile.TemporaryDirectory() as tmp:
        dockerfile = Path(tmp, "Dockerfile")
        dockerfile.write_text(f"FROM {BASE}\nPYENV 3.11 v1\n")
        megabytes, seconds, peaks, peers = [], [], [], []
        for f in factors:
            path = Path(tmp, f"dag{f}.py")
            path.write_text(dag_file(args.dag_mb * f))
            megabytes.append(path.stat().st_size / 1e6)
            took, peak = child([sys.executable, "-m", "pyenvc", "check-dags", str(dockerfile), str(path)])
            seconds.append(took)
            peaks.append(peak)
            peers.append(child([sys.executable, "-c", f"import ast; ast.parse(open({str(path)!r}).read())"])[1])
        growth("check-dags, per MB of DAG", "s", [round(m, 2) for m in megabytes], seconds)
        tiny = Path(tmp, "tiny.py")
        tiny.write_text(dag_file(0.001))
        _, empty = child([sys.executable, "-m", "pyenvc", "check-dags", str(dockerfile), str(tiny)])
        for m, peak, peer in zip(megabytes, peaks, peers):
            print(f"  {m:5.2f} MB: check-dags peak {peak / 1e6:6.0f} MB ({(peak - empty) / (m * 1e6):5.1f}x the file above "
                  f"its {empty / 1e6:.0f} MB start), whole-file ast.parse {peer / 1e6:6.0f} MB ({peer / (m * 1e6):5.1f}x)")


if __name__ == "__main__":
    main()
