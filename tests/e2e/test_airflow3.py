"""Airflow 3 for real: an Astro project on the Runtime 3 image (astrocrpublic.azurecr.io/runtime:3.3-2,
Airflow 3.3.2 on Python 3.12), compiled by pyenvc with its defaults, built once and shared by the
tests of this module.

Two PYENVs: `sdk` on Python 3.12, the runtime's own Python version (the shape of the old tool's
issue #38, where a PYENV on a Runtime 3.0 `-base` image broke the runtime's pip), with the Task
SDK (apache-airflow-task-sdk at the runtime's version); and `bare` on Python 3.8 with one small
package and no Airflow at all. The provider comes from requirements.txt as a user installs it
(`pyenvc[airflow] @ <url>`), and a user's `pip install` after the PYENVs uses the runtime's pip.

- `airflow dags test` runs a DAG whose `@task.venv` tasks run in both venvs, values through
  XCom both ways.
- A real scheduler run (scheduler, DAG processor and API server with LocalExecutor in one
  container; `dag.test()` would hang on `Variable.get()` in a venv with the Task SDK,
  apache/airflow#65482): the `sdk` venv reads a Variable and a Connection stored in the metadata
  database; the `bare` venv fails at once with the import error that says what it lacks.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import attrs
import pytest

import pyenvc
from harness import PYTHON_SLIM, RUNTIME3_BASE, RUNTIME3_ONBUILD, Docker

pytestmark = pytest.mark.e2e

# The runtime's Task SDK and Airflow core, as `pip freeze` shows them in RUNTIME3_BASE.
TASK_SDK = "apache-airflow-task-sdk==1.3.2\napache-airflow-core==3.3.2\n"

SOURCE = (
    f"FROM {RUNTIME3_ONBUILD}\n"
    "\n"
    "# The runtime's own Python version, with the Task SDK; an old Python without Airflow.\n"
    "PYENV 3.12 sdk requirements/sdk.txt\n"
    "PYENV 3.8 bare requirements/bare.txt\n"
    "\n"
    "# A user's pip install after the PYENVs: the runtime's pip must be intact.\n"
    'RUN ["python", "-m", "pip", "install", "--user", "--no-warn-script-location", "humanize"]\n'
)

ROUND_TRIP = '''\
"""Airflow -> venv sdk (3.12) -> venv bare (3.8) -> Airflow, every value through XCom."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def pyenvc_af3():
    @task
    def start() -> dict:
        return {"numbers": [1, 2, 3], "text": "from airflow"}

    @task.venv("sdk")
    def on_sdk(payload: dict) -> dict:
        import sys
        from importlib.metadata import version

        return {
            "version": list(sys.version_info[:2]),
            "executable": sys.executable,
            "base_prefix": sys.base_prefix,
            "task_sdk": version("apache-airflow-task-sdk"),
            "total": sum(payload["numbers"]),
            "text": payload["text"] + " via 3.12",
        }

    @task.venv("bare")
    def on_bare(previous: dict) -> dict:
        import sys

        import six  # only in the venv bare

        return {
            "version": list(sys.version_info[:2]),
            "executable": sys.executable,
            "module": six.__name__,
            "total": previous["total"] * 10,
            "text": previous["text"] + " via 3.8",
        }

    @task
    def finish(sdk: dict, bare: dict) -> None:
        import json

        print("PYENVC-E2E-FINISH " + json.dumps({"sdk": sdk, "bare": bare}, sort_keys=True))

    first = on_sdk(start())
    finish(first, on_bare(first))


pyenvc_af3()
'''

SECRETS = '''\
"""A Variable and a Connection from the metadata database, read inside venvs."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task


@dag(
    schedule="@once",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    is_paused_upon_creation=False,
    default_args={"retries": 0, "execution_timeout": timedelta(minutes=3)},
)
def pyenvc_af3_secrets():
    @task.venv("sdk")
    def with_sdk() -> dict:
        from airflow.sdk import Connection, Variable

        conn = Connection.get("pyenvc_warehouse")
        return {
            "variable": Variable.get("pyenvc_greeting"),
            "json": Variable.get("pyenvc_settings", deserialize_json=True),
            "conn": [conn.conn_type, conn.host, conn.login, conn.password, conn.schema, conn.port],
            "extra": conn.extra_dejson,
        }

    @task.venv("bare")
    def without_sdk() -> str:
        from airflow.sdk import Variable

        return Variable.get("pyenvc_greeting")

    @task.venv("bare")
    def as_arguments(greeting: str, host: str) -> list:
        return [greeting, host]

    with_sdk()
    without_sdk()
    # Without the Task SDK: Airflow renders the templates before the venv starts.
    as_arguments("{{ var.value.pyenvc_greeting }}", "{{ conn.pyenvc_warehouse.host }}")


pyenvc_af3_secrets()
'''

AIRFLOW_ENV = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_FOLDER": "/usr/local/airflow/dags",
}

# `airflow dags test`, then the exit status and the end of its output.
DAGS_TEST = r"""
set -eu
airflow db migrate >/tmp/migrate.log 2>&1 || { cat /tmp/migrate.log; exit 1; }
status=0
timeout 600 airflow dags test pyenvc_af3 >/tmp/dags-test.log 2>&1 || status=$?
echo "PYENVC-E2E-STATUS $status"
cat /tmp/dags-test.log
"""

# The metadata database gets a Variable, a JSON Variable and a Connection; the API server (the
# task execution API), then the scheduler and the DAG processor start with LocalExecutor. The
# DAG runs once as soon as it is parsed (@once, not paused); the run is awaited (a deadline,
# not a hang) and its task states and durations, XComs and task logs are printed as JSON.
SCHEDULED = r"""
set -eu
airflow db migrate >/tmp/migrate.log 2>&1 || { cat /tmp/migrate.log; exit 1; }
python - <<'SEED'
from airflow.models import Connection, Variable
from airflow.utils.session import create_session

with create_session() as session:
    session.add(Variable(key="pyenvc_greeting", val="hello from the metadata database"))
    session.add(Variable(key="pyenvc_settings", val='{"rows": 3, "mode": "full"}'))
    uri = "postgres://reader:s3cr%40t@warehouse.internal:5433/sales?sslmode=require"
    session.add(Connection(conn_id="pyenvc_warehouse", uri=uri))
SEED
airflow api-server --port "$AIRFLOW__API__PORT" >/tmp/api-server.log 2>&1 &
# The scheduler hands the tasks to the execution API at once: it must answer first.
python - <<'WAIT'
import os, time, urllib.request

url = os.environ["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].rstrip("/") + "/health"
deadline = time.monotonic() + 300
while True:
    try:
        urllib.request.urlopen(url, timeout=5).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("the API server did not answer within 300 s")
        time.sleep(1)
WAIT
airflow scheduler >/tmp/scheduler.log 2>&1 &
airflow dag-processor >/tmp/dag-processor.log 2>&1 &
python - <<'EOF'
import glob, json, time

from airflow.models import DagRun, TaskInstance
from airflow.models.xcom import XComModel
from airflow.utils.session import create_session

deadline = time.monotonic() + 420
state = None
while time.monotonic() < deadline:
    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == "pyenvc_af3_secrets").one_or_none()
        state = run and str(run.state)
        if state in ("success", "failed"):
            tis = {
                ti.task_id: [str(ti.state), ti.duration]
                for ti in session.query(TaskInstance).filter(TaskInstance.dag_id == run.dag_id)
            }
            xcom = {
                x.task_id: XComModel.deserialize_value(x)
                for x in session.query(XComModel).filter(XComModel.dag_id == run.dag_id, XComModel.key == "return_value")
            }
            break
    time.sleep(2)
else:
    tis, xcom = {}, {}
logs = {}
for path in glob.glob("/usr/local/airflow/logs/dag_id=pyenvc_af3_secrets/**/*.log", recursive=True):
    task = path.split("task_id=")[1].split("/")[0]
    with open(path, encoding="utf-8", errors="replace") as f:
        logs[task] = f.read()
print("PYENVC-E2E-RESULT " + json.dumps(
    {"state": state, "tasks": tis, "xcom": xcom, "logs": logs}, default=str
))
EOF
for service in api-server scheduler dag-processor; do echo "===== $service"; tail -n 40 "/tmp/$service.log"; done
"""


@attrs.frozen
class Project:
    tag: str
    output: str  # the compiled Dockerfile
    seconds: float


@pytest.fixture(scope="module")
def project(docker: Docker, wheel_url: str, tmp_path_factory) -> Project:
    for image in (RUNTIME3_ONBUILD, RUNTIME3_BASE, PYTHON_SLIM["3.8"], PYTHON_SLIM["3.12"]):
        docker.require_image(image)
    root = tmp_path_factory.mktemp("airflow3-project")
    files = {
        "packages.txt": "",
        "requirements.txt": f"pyenvc[airflow] @ {wheel_url}\n",
        "requirements/sdk.txt": TASK_SDK,
        "requirements/bare.txt": "six\n",
        "dags/pyenvc_af3.py": ROUND_TRIP,
        "dags/pyenvc_af3_secrets.py": SECRETS,
        "Dockerfile.pyenv": SOURCE,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    result = pyenvc.compile(SOURCE, path=str(root / "Dockerfile.pyenv"), context=str(root))
    assert result.output is not None, result.diagnostics
    assert {d.code for d in result.diagnostics} <= {"PYENV101"}, result.diagnostics  # 3.8's end of life only
    built = docker.build(result.output, context=root)
    print(f"Airflow 3 project build: {built.seconds:.1f} s")
    return Project(tag=built.tag, output=result.output, seconds=built.seconds)


def _marked(out: str, marker: str) -> str:
    lines = [line for line in out.splitlines() if marker in line]
    assert lines, f"no {marker.strip()} line in:\n{out[-8000:]}"
    return lines[-1].split(marker, 1)[1]


def test_runtime3_project_builds_on_the_base_image_and_keeps_its_pip(docker: Docker, project: Project) -> None:
    """The rewrite builds FROM the -base image; after a PYENV of the runtime's own Python
    version the runtime's interpreter and pip are the base image's, and pip still installs."""
    froms = [line for line in project.output.splitlines() if line.startswith("FROM ")]
    assert froms[-1] == f"FROM {RUNTIME3_BASE}"
    check = (
        "python -m pip --version | cut -d' ' -f1-2; python -m pip check >/dev/null && echo pip-check-ok;"
        " python -c 'import humanize, pyenvc_airflow; print(humanize.__name__)';"
        " sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0 | cut -c1-64;"
        " for v in sdk bare; do eval py=\\$ASTRO_PYENV_$v; $py -c 'import sys; print(sys.base_prefix)'; done"
    )
    lines = docker.sh(project.tag, check).splitlines()
    base_sums = docker.sh(
        RUNTIME3_BASE, "sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0 | cut -c1-64"
    ).splitlines()
    assert lines == ["pip 25.3", "pip-check-ok", "humanize", *base_sums, "/opt/pyenvc/python3.12", "/opt/pyenvc/python3.8"]


def test_venv_dag_runs_with_airflow_dags_test(docker: Docker, project: Project) -> None:
    """`airflow dags test` on Airflow 3.3: each @task.venv ran on its venv's Python with its
    venv's packages, and values crossed XCom into the venvs, between them and back."""
    out = docker.run(project.tag, "bash", "-c", DAGS_TEST, env=AIRFLOW_ENV, timeout=900)
    assert "PYENVC-E2E-STATUS 0" in out, out[-8000:]
    received = json.loads(_marked(out, "PYENVC-E2E-FINISH "))
    assert received == {
        "sdk": {
            "version": [3, 12],
            "executable": "/home/astro/.venv/sdk/bin/python",
            "base_prefix": "/opt/pyenvc/python3.12",
            "task_sdk": "1.3.2",
            "total": 6,
            "text": "from airflow via 3.12",
        },
        "bare": {
            "version": [3, 8],
            "executable": "/home/astro/.venv/bare/bin/python",
            "module": "six",
            "total": 60,
            "text": "from airflow via 3.12 via 3.8",
        },
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_venv_with_task_sdk_reads_variables_and_connections_in_a_scheduled_run(docker: Docker, project: Project) -> None:
    """A scheduler run with LocalExecutor: the venv with the Task SDK reads a Variable, a JSON
    Variable and a Connection from the metadata database (through the task's supervisor, the
    task execution API); the venv without it fails at once with the import error, not a hang,
    and gets the same values as templated arguments."""
    port = _free_port()  # the container shares the host's network: no fixed port
    env = {
        **AIRFLOW_ENV,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": "pyenvc-e2e-only",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    }
    out = docker.run(project.tag, "bash", "-c", SCHEDULED, env=env, timeout=900)
    result = json.loads(_marked(out, "PYENVC-E2E-RESULT "))
    assert result["state"] == "failed", out[-8000:]  # without_sdk failed, as it must
    states = {task: state for task, (state, _) in result["tasks"].items()}
    assert states == {"with_sdk": "success", "without_sdk": "failed", "as_arguments": "success"}, out[-8000:]
    assert result["xcom"]["with_sdk"] == {
        "variable": "hello from the metadata database",
        "json": {"rows": 3, "mode": "full"},
        "conn": ["postgres", "warehouse.internal", "reader", "s3cr@t", "sales", 5433],
        "extra": {"sslmode": "require"},
    }
    assert result["xcom"]["as_arguments"] == ["hello from the metadata database", "warehouse.internal"]
    assert "without_sdk" not in result["xcom"]
    assert "ModuleNotFoundError: No module named 'airflow'" in result["logs"]["without_sdk"], result["logs"]
    # failed at once: far below its execution_timeout (180 s), so nothing hung
    assert result["tasks"]["without_sdk"][1] < 60, result["tasks"]
