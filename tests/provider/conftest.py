"""Real Airflow for the provider tests: a temporary AIRFLOW_HOME, sqlite database, DAGs folder,
and bare venvs made from pyenv's CPython 3.8 and 3.12.

Airflow reads its configuration when it is first imported, so the environment is set here, at
import time, before any test module can import Airflow. Everything that needs Airflow goes through
the session fixture `airflow`, which fails (under CI=true) or skips (elsewhere) when Airflow is
not importable; `pyenv_venvs` does the same for a missing pyenv build.

Run with `scripts/test-provider`, which runs this module under both Airflow environments that
`scripts/setup-airflow` creates.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

# -- the Airflow environment, before Airflow is imported ----------------------------------------

HOME = Path(tempfile.mkdtemp(prefix="pyenvc-airflow-home-"))
DAGS = HOME / "dags"  # the configured DAGs folder: Airflow 3's dag.test() only runs DAGs found here
BROKEN = HOME / "broken-dags"  # DAG files expected not to import: parsed on their own, never synced
RESULTS = HOME / "results"  # what the DAGs' last tasks write, for the tests to read
for folder in (DAGS, BROKEN, RESULTS):
    folder.mkdir()
atexit.register(shutil.rmtree, HOME, ignore_errors=True)

os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
    }
)
# Venvs this machine's environment may declare would change what error messages list.
for key in [k for k in os.environ if k.startswith("ASTRO_PYENV_")]:
    del os.environ[key]

PYTHONS = {"p38": "3.8", "p312": "3.12"}  # venv name -> pyenv CPython minor version


def missing_prerequisite(reason: str) -> None:
    """Skip for a missing prerequisite; under CI=true fail, so a broken setup never passes green."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"prerequisite missing under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def pyenv_python(minor: str) -> Path | None:
    """The newest pyenv build of CPython `minor` (`3.8` -> .../versions/3.8.18/bin/python3.8)."""
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            root = str(Path.home() / ".pyenv")
    builds = []
    for path in Path(root, "versions").glob(f"{minor}.*"):
        parts = path.name.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and (path / "bin" / f"python{minor}").is_file():
            builds.append((tuple(map(int, parts)), path / "bin" / f"python{minor}"))
    return max(builds)[1] if builds else None


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pyenv_venvs(tmp_path_factory) -> dict[str, Path]:
    """Bare venvs (`python -m venv --without-pip`) from pyenv's 3.8 and 3.12, declared as
    ASTRO_PYENV_p38 and ASTRO_PYENV_p312, as the compiled PYENV lines would."""
    where = tmp_path_factory.mktemp("venvs")
    made = {}
    for name, minor in PYTHONS.items():
        python = pyenv_python(minor)
        if python is None:
            missing_prerequisite(f"no pyenv build of CPython {minor} (looked under $(pyenv root)/versions)")
        subprocess.run([str(python), "-m", "venv", "--without-pip", str(where / name)], check=True)
        made[name] = where / name / "bin" / "python"
        os.environ[f"ASTRO_PYENV_{name}"] = str(made[name])
    return made


@pytest.fixture(scope="session")
def airflow(pyenv_venvs):
    """Airflow, imported, with a fresh sqlite database; the venvs are declared before any DAG parses."""
    try:
        import airflow as airflow_module
    except ImportError as e:
        missing_prerequisite(f"Airflow is not importable ({e}); run scripts/setup-airflow, then scripts/test-provider")
    from airflow.utils import db

    db.resetdb()
    return airflow_module


@pytest.fixture(scope="session")
def airflow_3(airflow) -> bool:
    from pyenvc_airflow._compat import AIRFLOW_3

    return AIRFLOW_3


class DagRunner:
    """Writes DAG files and runs them with `dag.test()`; reads back what their tasks recorded."""

    HEADER = textwrap.dedent(
        """\
        import json
        import os

        import pendulum

        try:
            from airflow.sdk import dag, task
        except ImportError:
            from airflow.decorators import dag, task
        from pyenvc_airflow import VenvOperator

        RESULTS = {results!r}


        def record(key, value):
            with open(os.path.join(RESULTS, key + ".json"), "w") as f:
                json.dump(value, f)


        def one():
            return 1


        def record_failure(context):
            exc = context.get("exception")
            record(context["ti"].task_id + ".error", {{"type": type(exc).__name__, "message": str(exc)}})


        """
    )

    def __init__(self) -> None:
        from pyenvc_airflow._compat import AIRFLOW_3

        self.airflow_3 = AIRFLOW_3

    def source(self, body: str) -> str:
        return self.HEADER.format(results=str(RESULTS)) + textwrap.dedent(body)

    def write(self, body: str, parse_only: bool = False) -> Path:
        """A new DAG file; `parse_only` keeps it out of the DAGs folder that dag.test() syncs."""
        path = (BROKEN if parse_only else DAGS) / f"dag_{uuid.uuid4().hex[:12]}.py"
        path.write_text(self.source(body))
        return path

    def parse(self, path: Path):
        """A DagBag of this one file: (dags by id, import errors by file)."""
        if self.airflow_3:
            from airflow.dag_processing.dagbag import DagBag
        else:
            from airflow.models.dagbag import DagBag
        bag = DagBag(dag_folder=str(path)) if self.airflow_3 else DagBag(dag_folder=str(path), include_examples=False)
        return bag.dags, bag.import_errors

    def import_error(self, body: str) -> str:
        """The import error of a DAG file that must not parse (kept out of the DAGs folder)."""
        dags, errors = self.parse(self.write(body, parse_only=True))
        assert not dags, f"the DAG file parsed, but it should not have: {sorted(dags)}"
        assert len(errors) == 1, errors
        return next(iter(errors.values()))

    def run(self, body: str, dag_id: str) -> dict[str, str]:
        """Run one DAG with dag.test(); the states of its task instances by task id."""
        path = self.write(body)
        dags, errors = self.parse(path)
        assert not errors, errors
        dag = dags[dag_id]
        dagrun = dag.test()
        from airflow.models.dagrun import DagRun
        from airflow.utils.session import create_session

        with create_session() as session:
            dagrun = session.get(DagRun, dagrun.id)
            return {ti.task_id: str(ti.state.value if hasattr(ti.state, "value") else ti.state)
                    for ti in dagrun.get_task_instances(session=session)}

    def result(self, key: str):
        path = RESULTS / f"{key}.json"
        assert path.exists(), f"the DAG recorded no {key!r} (have: {sorted(p.name for p in RESULTS.iterdir())})"
        return json.loads(path.read_text())

    def error(self, task_id: str) -> dict[str, str]:
        return self.result(f"{task_id}.error")


@pytest.fixture(scope="session")
def dags(airflow) -> DagRunner:
    return DagRunner()


@pytest.fixture(scope="session")
def python312() -> Path:
    """pyenv's CPython 3.12 itself (not a venv)."""
    python = pyenv_python("3.12")
    if python is None:
        missing_prerequisite("no pyenv build of CPython 3.12 (looked under $(pyenv root)/versions)")
    return python


@pytest.fixture
def pyenv_build():
    """`find("3.6")`: pyenv's newest CPython 3.6 interpreter (skips, or fails under CI=true, if none)."""

    def find(minor: str) -> Path:
        python = pyenv_python(minor)
        if python is None:
            missing_prerequisite(f"no pyenv build of CPython {minor} (looked under $(pyenv root)/versions)")
        return python

    return find


@pytest.fixture
def declare_venv(tmp_path_factory, monkeypatch, pyenv_build):
    """`declare("old", "3.6")`: a bare venv from pyenv's CPython 3.6, declared as ASTRO_PYENV_old
    for this test; returns its interpreter path and the build's version (`3.6.15`)."""

    def declare(name: str, minor: str) -> tuple[str, str]:
        build = pyenv_build(minor)
        where = tmp_path_factory.mktemp(name) / name
        subprocess.run([str(build), "-m", "venv", "--without-pip", str(where)], check=True)
        python = str(where / "bin" / "python")
        monkeypatch.setenv(f"ASTRO_PYENV_{name}", python)
        return python, build.parent.parent.name

    return declare
