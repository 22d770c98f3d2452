"""Build benchmark: inline+pip (the old frontend's shape), stages+pip and stages+uv on a project
with three venvs (3.8: pandas/pyarrow/requests; 3.11: polars/duckdb/pyyaml; 3.12:
httpx/rich/pydantic), measured in one run and printed as ratios against inline+pip.

Scenarios, each the median of N rounds: a cold build (`docker builder prune -af` first; base
images stay), a rebuild after the first venv's requirements change, a rebuild after a DAG file
changes (and whether any venv step re-ran: BuildKit's plain progress shows a `RUN` of a venv step
that is not `CACHED`), and the final image size. Not run in CI; needs the e2e daemon
(scripts/e2e-setup, then `. /tmp/pyenvc-e2e/env`).

    python bench/build/run.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyenvc

HERE = Path(__file__).resolve().parent
SHAPES = {"inline+pip": ("inline", "pip"), "stages+pip": ("stages", "pip"), "stages+uv": ("stages", "uv")}
# a venv step in BuildKit's plain progress: `#12 [pyenvc-0-analytics 9/9] RUN ... pip install` or uv
_VENV_STEP = re.compile(r'^#(\d+) \[[^\]]*\] RUN .*(?:"-m", "venv"|"pip", "install"|"venv", "--no-python)', re.M)


def sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def build(context: Path, tag: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = sh("docker", "build", "--network=host", "--progress=plain", "-t", tag, str(context))
    return time.perf_counter() - t0, proc.stderr


def venv_steps_run(log: str) -> int:
    """How many venv steps ran (were not CACHED)."""
    steps = set(_VENV_STEP.findall(log))
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.M))
    return len(steps - cached)


def prepare(work: Path, shape: str) -> Path:
    layout, installer = SHAPES[shape]
    context = work / shape.replace("+", "-")
    shutil.copytree(HERE / "project", context)
    text = (context / "Dockerfile.pyenv").read_text()
    result = pyenvc.compile(text, path=str(context / "Dockerfile.pyenv"), context=str(context), layout=layout, installer=installer)
    assert result.output is not None, result.diagnostics
    (context / "Dockerfile").write_text(result.output)
    return context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict = {shape: {"cold": [], "first": [], "dag": [], "dag_venv_steps": [], "size": 0} for shape in SHAPES}
    with tempfile.TemporaryDirectory(prefix="pyenvc-bench-") as tmp:
        for round_ in range(args.rounds):
            for shape in SHAPES:
                context = prepare(Path(tmp) / f"r{round_}", shape)
                tag = f"pyenvc-bench/{shape.replace('+', '-')}:latest"
                sh("docker", "builder", "prune", "-af")
                results[shape]["cold"].append(build(context, tag)[0])
                with open(context / "requirements/analytics.txt", "a") as f:
                    f.write(f"six==1.16.0  # round {round_}\n")
                results[shape]["first"].append(build(context, tag)[0])
                with open(context / "dags/example.py", "a") as f:
                    f.write(f"VERSION = {round_ + 1}\n")
                seconds, log = build(context, tag)
                results[shape]["dag"].append(seconds)
                results[shape]["dag_venv_steps"].append(venv_steps_run(log))
                results[shape]["size"] = json.loads(sh("docker", "image", "inspect", tag).stdout)[0]["Size"]
                print(f"round {round_ + 1} {shape}: cold {results[shape]['cold'][-1]:.1f} s, first venv "
                      f"{results[shape]['first'][-1]:.1f} s, DAG {seconds:.2f} s", file=sys.stderr)
    base = {k: statistics.median(results["inline+pip"][k]) for k in ("cold", "first", "dag")}
    print(f"median of {args.rounds}; ratio against inline+pip in this run")
    print(f"{'shape':<12} {'cold':>16} {'first venv reqs':>18} {'DAG file':>16} {'venv steps re-run on DAG change':>32} {'image':>9}")
    for shape, r in results.items():
        cells = []
        for key in ("cold", "first", "dag"):
            m = statistics.median(r[key])
            cells.append(f"{m:7.2f} s ({m / base[key]:.2f}x)")
        print(f"{shape:<12} {cells[0]:>16} {cells[1]:>18} {cells[2]:>16} {max(r['dag_venv_steps']):>32} {r['size'] / 1e6:7.0f} MB")


if __name__ == "__main__":
    main()
