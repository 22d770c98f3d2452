"""Per-task overhead of `@task.venv` against `@task.external_python` on the same venv, and against
`@task.virtualenv` (which builds a venv for every run), measured in one process on real Airflow.

Run it with an Airflow environment's interpreter (see scripts/setup-airflow):

    .venvs/airflow3/bin/python bench/provider_overhead.py [--runs 20] [--virtualenv-runs 3]

Each kind of task gets a DAG of its own holding that one task, doing nothing (`return 1`), plus a
DAG with a plain `@task` on the host as the baseline. `dag.test()` runs them, interleaved, `--runs`
times each against a temporary sqlite database, timed with the wall clock (Airflow 2's dag.test()
records no task start time to read instead). `@task.virtualenv` runs fewer times, because each run
builds a venv. Medians are printed, then ratios against `@task.external_python` measured in the
same run: as measured, and with the plain-task baseline (Airflow's own per-run cost) subtracted,
which is the per-task overhead. Benchmarks never assert; nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="pyenvc-bench-airflow-"))
DAGS = HOME / "dags"
DAGS.mkdir()
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
)

# One DAG per kind of task, each a single task that does nothing.
DAG_FILE = textwrap.dedent(
    """\
    import pendulum
    try:
        from airflow.sdk import dag, task
    except ImportError:
        from airflow.decorators import dag, task

    PYTHON = {python!r}
    START = pendulum.datetime(2024, 1, 1)

    @dag(dag_id="plain", schedule=None, start_date=START)
    def plain():
        @task
        def plain():
            return 1

        plain()

    @dag(dag_id="venv", schedule=None, start_date=START)
    def venv():
        @task.venv("bench")
        def venv():
            return 1

        venv()

    @dag(dag_id="external_python", schedule=None, start_date=START)
    def external_python():
        @task.external_python(python=PYTHON)
        def external_python():
            return 1

        external_python()

    plain()
    venv()
    external_python()
    """
)

# In a file of its own: Airflow 2 refuses it at parse time unless `virtualenv` is installed.
VIRTUALENV_DAG_FILE = textwrap.dedent(
    """\
    import pendulum
    try:
        from airflow.sdk import dag, task
    except ImportError:
        from airflow.decorators import dag, task

    @dag(dag_id="virtualenv", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
    def virtualenv():
        @task.virtualenv(requirements=[], system_site_packages=False)
        def virtualenv():
            return 1

        virtualenv()

    virtualenv()
    """
)


def pyenv_python(minor: str) -> str | None:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    builds = sorted(
        Path(root, "versions").glob(f"{minor}.*"),
        key=lambda p: tuple(int(x) for x in p.name.split(".") if x.isdigit()),
    )
    found = [b / "bin" / f"python{minor}" for b in builds if (b / "bin" / f"python{minor}").is_file()]
    return str(found[-1]) if found else None


def run_seconds(dag) -> float:
    """Wall time of one dag.test() of a one-task DAG; exits unless the run succeeded."""
    start = time.perf_counter()
    run = dag.test()
    seconds = time.perf_counter() - start
    state = getattr(run.state, "value", run.state)
    if state != "success":
        sys.exit(f"DAG {dag.dag_id} ended {state}: the benchmark measures only successful runs")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of the venv/external_python DAG")
    parser.add_argument("--virtualenv-runs", type=int, default=3, help="runs of the @task.virtualenv DAG")
    parser.add_argument("--python", default=pyenv_python("3.12"), help="interpreter to make the venv from")
    args = parser.parse_args()
    if not args.python:
        sys.exit("no pyenv CPython 3.12 found: pass --python")

    venv = HOME / "venv-bench"
    subprocess.run([args.python, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    os.environ["ASTRO_PYENV_bench"] = python
    (DAGS / "overhead.py").write_text(DAG_FILE.format(python=python))
    (DAGS / "overhead_virtualenv.py").write_text(VIRTUALENV_DAG_FILE)

    import airflow
    from airflow.utils import db

    from pyenvc_airflow._compat import AIRFLOW_3

    db.resetdb()
    if AIRFLOW_3:
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(DAGS))
    else:
        from airflow.models.dagbag import DagBag

        bag = DagBag(dag_folder=str(DAGS), include_examples=False)
    if "venv" not in bag.dags:
        sys.exit(f"the benchmark DAG did not import: {bag.import_errors}")
    virtualenv_unavailable = None
    if "virtualenv" not in bag.dags:
        virtualenv_unavailable = next(iter(bag.import_errors.values())).strip().splitlines()[-1]

    kinds = ["plain", "venv", "external_python"]
    for kind in kinds:
        run_seconds(bag.dags[kind])  # warm-up: Airflow 3 starts its in-process API on the first run
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.runs):  # interleaved, so drift affects every kind alike
        for kind in kinds:
            times[kind].append(run_seconds(bag.dags[kind]))
    if args.virtualenv_runs and not virtualenv_unavailable:
        times["virtualenv"] = [run_seconds(bag.dags["virtualenv"]) for _ in range(args.virtualenv_runs)]
    median = {kind: statistics.median(values) for kind, values in times.items()}

    print(f"Airflow {airflow.__version__} on Python {sys.version.split()[0]}; venv from {args.python}")
    if virtualenv_unavailable:
        print(f"@task.virtualenv not measured: {virtualenv_unavailable}")
    else:
        print(f"@task.virtualenv builds with: {'uv' if shutil.which('uv') else 'venv + pip'} (uv is used when on PATH)")
    print("wall time of dag.test() for a DAG of one task that returns 1:")
    print(f"{'task':<18}{'runs':>6}{'median ms':>12}{'min ms':>10}")
    for task in ("plain", "venv", "external_python", "virtualenv"):
        if task in times:
            print(f"{task:<18}{len(times[task]):>6}{median[task] * 1000:>12.1f}{min(times[task]) * 1000:>10.1f}")
    external = median["external_python"]
    base = median["plain"]
    print()
    print(f"@task.venv / @task.external_python:        {median['venv'] / external:.3f}")
    print(f"  the same, less the plain @task baseline:  {(median['venv'] - base) / (external - base):.3f}")
    if "virtualenv" in median:
        print(f"@task.virtualenv / @task.external_python:  {median['virtualenv'] / external:.3f}")
    shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    main()
