"""Build benchmark: inline+pip (the old frontend's shape), stages+pip and stages+uv on a project
with three venvs (3.8: pandas/pyarrow/requests; 3.11: polars/duckdb/pyyaml; 3.12:
httpx/rich/pydantic), measured in one run and printed as ratios against inline+pip.

Scenarios, each the median of N rounds: a cold build (`docker builder prune -af` first; base
images stay), a rebuild after the first venv's requirements change, a rebuild after a DAG file
changes (and whether any venv step re-ran: BuildKit's plain progress shows a `RUN` of a venv step
that is not `CACHED`), and the final image size. For the requirements change, BuildKit's log
also gives the time of the changed venv's own install step (its `#N DONE 12.3s` line): no
rebuild can be faster than that step, so the rebuild is also shown as a multiple of it. The
shape that `pyenvc` compiles without options is marked, and the issue's targets for it are
checked at the end (issue 11, "Done when").

Not run in CI. It empties the build cache: give it a daemon of its own (tests/e2e/README.md):

    PYENVC_E2E_DIR=/tmp/pyenvc-bench scripts/e2e-setup && . /tmp/pyenvc-bench/env
    python bench/build/run.py [--rounds N]

The engine matters, and the output names it: BuildKit before 0.16 (Docker 26 here) checksums
the whole root file system of every RUN that mounts a secret whenever its input changed, about
2 s on the runtime image (moby/buildkit 3c87ba1, "exec: fix incorrect deps computation for
special mounts"), and every install step mounts the optional index secrets. To run on the
Docker 28 that scripts/e2e-lint-setup unpacks beside it, load the base images into that daemon
and point DOCKER_HOST and DOCKER_CONFIG at it (`$PYENVC_CHECK_DOCKER_HOST`,
`$PYENVC_CHECK_DOCKER_CONFIG` in lint.env); `--images-from unix:///tmp/pyenvc-bench/docker.sock`
loads the base images the builds name from the Docker 26 daemon first (the checks test leaves
empty stand-ins of them in that daemon).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyenvc
from pyenvc.tooling import Document

HERE = Path(__file__).resolve().parent
SHAPES = {"inline+pip": ("inline", "pip"), "stages+pip": ("stages", "pip"), "stages+uv": ("stages", "uv")}
FIRST_VENV = "analytics"  # the first PYENV of project/Dockerfile.pyenv
# a venv step in BuildKit's plain progress, `#12 [pyenvc-0-analytics 9/9] RUN ...`, that makes a
# venv or installs into one (a path under .venv/: not the base Python's requirements.txt step), in
# exec form (`"pip", "install"`) or in a shell script (`pip install`)
_SEP = r'(?:", "| )'
_VENV_STEP = re.compile(rf'^#(\d+) \[[^\]]*\] RUN (?=.*/\.venv/).*(?:-m{_SEP}venv|pip{_SEP}install|uv{_SEP}venv)', re.M)
_INSTALL = re.compile(rf'pip{_SEP}install')


def sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def build(context: Path, tag: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = sh("docker", "build", "--network=host", "--progress=plain", "-t", tag, str(context))
    return time.perf_counter() - t0, proc.stderr


def install_step_seconds(log: str, venv: str) -> float:
    """Seconds of the step that installs `venv`'s requirements (the `RUN ... install ...
    /.venv/<venv>/requirements.txt` step), from its `#N DONE 12.3s` line; 0 when it was cached."""
    total = 0.0
    for number, title in re.findall(r"^#(\d+) \[[^\]]*\] (RUN .*)$", log, re.M):
        if _INSTALL.search(title) and f"/.venv/{venv}/requirements.txt" in title:
            done = re.search(rf"^#{number} DONE (\d+(?:\.\d+)?)s$", log, re.M)
            total += float(done.group(1)) if done else 0.0
    return total


def steps_that_ran(log: str) -> list[tuple[float, str]]:
    """(seconds, title) of every step BuildKit ran rather than took from its cache, the longest
    first: where a rebuild's time goes beyond the install step (the export included)."""
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.M))
    titles = dict(re.findall(r"^#(\d+) (\[[^\]]*\] .*|exporting to image)$", log, re.M))
    ran = []
    for number, title in titles.items():
        done = re.search(rf"^#{number} DONE (\d+(?:\.\d+)?)s$", log, re.M)
        if number not in cached and done:
            ran.append((float(done.group(1)), title if len(title) < 110 else title[:107] + "..."))
    return sorted(ran, reverse=True)


def venv_steps_run(log: str) -> int:
    """How many venv steps ran (were not CACHED)."""
    steps = set(_VENV_STEP.findall(log))
    cached = set(re.findall(r"^#(\d+) CACHED$", log, re.M))
    return len(steps - cached)


def compiled(context: Path, **options) -> str:
    text = (context / "Dockerfile.pyenv").read_text()
    result = pyenvc.compile(text, path=str(context / "Dockerfile.pyenv"), context=str(context), **options)
    assert result.output is not None, result.diagnostics
    return result.output


def prepare(work: Path, shape: str) -> Path:
    layout, installer = SHAPES[shape]
    context = work / shape.replace("+", "-")
    shutil.copytree(HERE / "project", context)
    (context / "Dockerfile").write_text(compiled(context, layout=layout, installer=installer))
    return context


def bring_images(source_host: str, contexts: list[Path]) -> None:
    """Every image the compiled Dockerfiles name, from the daemon at `source_host` into this one,
    where this one's is missing or another image (a stand-in)."""
    wanted: set[str] = set()
    for context in contexts:
        wanted |= Document.parse((context / "Dockerfile").read_text()).external_images
    source = {**os.environ, "DOCKER_HOST": source_host}
    source.pop("DOCKER_CONFIG", None)
    for image in sorted(wanted):
        ids = [subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", image], env=env,
                              capture_output=True, text=True).stdout.strip() for env in (source, os.environ)]
        if not ids[0]:
            sys.exit(f"{image}: not in the daemon at {source_host}")
        if ids[0] != ids[1]:
            print(f"loading {image} from {source_host}", file=sys.stderr)
            save = subprocess.Popen(["docker", "save", image], env=source, stdout=subprocess.PIPE)
            sh("docker", "load", "-q", stdin=save.stdout)
            if save.wait() != 0:
                sys.exit(f"docker save {image} failed")


def default_shape(shapes: list[str]) -> str | None:
    """The shape whose output equals what pyenvc compiles without options."""
    with tempfile.TemporaryDirectory(prefix="pyenvc-bench-") as tmp:
        context = Path(tmp) / "p"
        shutil.copytree(HERE / "project", context)
        plain = compiled(context)
        for shape, (layout, installer) in SHAPES.items():
            if shape in shapes and compiled(context, layout=layout, installer=installer) == plain:
                return shape
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES),
                        help="the shapes to build (inline+pip, the reference, always is)")
    parser.add_argument("--images-from", metavar="DOCKER_HOST",
                        help="load the base images from this daemon first, where they differ")
    args = parser.parse_args()
    shapes = ["inline+pip"] + [shape for shape in args.shapes if shape != "inline+pip"]
    results: dict = {
        shape: {"cold": [], "first": [], "step": [], "dag": [], "dag_venv_steps": [], "size": 0, "breakdown": []}
        for shape in shapes
    }
    with tempfile.TemporaryDirectory(prefix="pyenvc-bench-") as tmp:
        for round_ in range(args.rounds):
            for shape in shapes:
                context = prepare(Path(tmp) / f"r{round_}", shape)
                if args.images_from and round_ == 0:  # nothing else changes this daemon's images
                    bring_images(args.images_from, [context])
                tag = f"pyenvc-bench/{shape.replace('+', '-')}:latest"
                sh("docker", "builder", "prune", "-af")
                results[shape]["cold"].append(build(context, tag)[0])
                with open(context / f"requirements/{FIRST_VENV}.txt", "a") as f:
                    f.write(f"six==1.16.0  # round {round_}\n")
                seconds, log = build(context, tag)
                results[shape]["first"].append(seconds)
                results[shape]["step"].append(install_step_seconds(log, FIRST_VENV))
                results[shape]["breakdown"] = steps_that_ran(log)
                with open(context / "dags/example.py", "a") as f:
                    f.write(f"VERSION = {round_ + 1}\n")
                seconds, log = build(context, tag)
                results[shape]["dag"].append(seconds)
                results[shape]["dag_venv_steps"].append(venv_steps_run(log))
                results[shape]["size"] = json.loads(sh("docker", "image", "inspect", tag).stdout)[0]["Size"]
                print(f"round {round_ + 1} {shape}: cold {results[shape]['cold'][-1]:.1f} s, first venv "
                      f"{results[shape]['first'][-1]:.1f} s (its install step {results[shape]['step'][-1]:.1f} s), "
                      f"DAG {seconds:.2f} s", file=sys.stderr)
    default = default_shape(shapes)
    base = {k: statistics.median(results["inline+pip"][k]) for k in ("cold", "first", "dag")}
    engine = sh("docker", "version", "--format", "{{.Server.Version}}").stdout.strip()
    print(f"Docker {engine}; median of {args.rounds}; ratio against inline+pip in this run; * = pyenvc's default")
    print(
        f"{'shape':<13} {'cold':>16} {'first venv reqs':>18} {'its install step':>17} {'rebuild/step':>13}"
        f" {'DAG file':>16} {'venv steps on DAG change':>25} {'image':>9}"
    )
    for shape, r in results.items():
        m = {key: statistics.median(r[key]) for key in ("cold", "first", "step", "dag")}
        cells = [f"{m[key]:7.2f} s ({m[key] / base[key]:.2f}x)" for key in ("cold", "first", "dag")]
        per_step = f"{m['first'] / m['step']:.2f}x" if m["step"] else "-"
        name = shape + ("*" if shape == default else "")
        print(
            f"{name:<13} {cells[0]:>16} {cells[1]:>18} {m['step']:15.2f} s {per_step:>13}"
            f" {cells[2]:>16} {max(r['dag_venv_steps']):>25} {r['size'] / 1e6:7.0f} MB"
        )
    if default is None:
        print("pyenvc's default matches none of these shapes: no targets checked")
        return
    r = results[default]
    print(f"the steps {default}'s last rebuild after the requirements change ran, the longest first:")
    for seconds, title in r["breakdown"]:
        print(f"  {seconds:7.2f} s  {title}")
    m = {key: statistics.median(r[key]) for key in ("cold", "first", "step")}
    targets = [
        ("cold build at most 0.4x inline+pip", m["cold"] <= 0.4 * base["cold"]),
        ("first venv's requirements changed at most 0.25x inline+pip", m["first"] <= 0.25 * base["first"]),
        ("... and at most 1.5x that venv's own install step", bool(m["step"]) and m["first"] <= 1.5 * m["step"]),
        ("no venv step re-runs for a DAG-only change", max(r["dag_venv_steps"]) == 0),
        ("image no larger than inline+pip's", r["size"] <= results["inline+pip"]["size"]),
    ]
    print(f"targets for {default}:")
    for text, met in targets:
        print(f"  {'met    ' if met else 'NOT MET'} {text}")

if __name__ == "__main__":
    main()
