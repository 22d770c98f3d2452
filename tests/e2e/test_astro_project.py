"""An Astro project for real: the Astro Runtime rewrite against the ONBUILD image it replaces, and
a DAG whose `@task.venv` tasks run inside the built image.

One small project (tmp dir) is built three times:

- `onbuild`: its Dockerfile without the PYENV lines, FROM the ONBUILD image
  (quay.io/astronomer/astro-runtime:12.1.0): what the user's instructions see without pyenvc;
- `astro`: the PYENV source compiled by pyenvc (default options): `-base` image, packages.txt
  right after FROM, requirements.txt and the project copy after the last PYENV;
- `no_astro`: compiled with `astro=False` (`--no-astro`): the FROM line keeps the ONBUILD image
  and its triggers fire.

The project is what a user has: `packages.txt` with a real Debian package (jq; the build's apt
reaches the Debian archive with --network=host), `requirements.txt` with the provider as a user
installs it (`pyenvc[airflow] @ <url>`, served from this process over HTTP, as a package index
would) and a small package, two PYENVs with different Pythons (3.8, 3.11), a DAG, an include
file, an executable and a private file (modes), and a user instruction after the PYENVs that
records what it sees.

Needs the e2e Docker daemon and local base images (scripts/e2e-setup); skipped without them,
failed under CI=true.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import pytest

import pyenvc
from harness import PYTHON_SLIM, RUNTIME_ONBUILD, Docker

pytestmark = pytest.mark.e2e

VENVS = {"old": ("3.8", "six"), "new": ("3.11", "packaging")}

# The user's instruction after the PYENVs: who runs it, where, and what of the project it sees.
SEEN = (
    'RUN ["/bin/sh", "-c", "{ id -un; pwd; ls -A /usr/local/airflow /usr/local/airflow/dags;'
    " /usr/local/bin/python -c 'import humanize, lark, pyenvc_airflow; print(pyenvc_airflow.__name__)';"
    ' jq --version; } > /tmp/seen"]\n'
)

SOURCE = (
    f"FROM {RUNTIME_ONBUILD}\n"
    "\n"
    "# A vendor SDK on an old Python, and a newer Python than Airflow's own.\n"
    "PYENV 3.8 old requirements/old.txt\n"
    "PYENV 3.11 new requirements/new.txt\n"
    "\n" + SEEN
)
PLAIN = "".join(line for line in SOURCE.splitlines(keepends=True) if not line.startswith("PYENV "))

DAG_ID = "pyenvc_e2e"
DAG = '''\
"""Airflow -> venv 3.8 -> venv 3.11 -> Airflow, every value through XCom."""

from __future__ import annotations

import pendulum
from airflow.decorators import dag, task


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def pyenvc_e2e():
    @task
    def start() -> dict:
        return {"numbers": [1, 2, 3], "text": "from airflow"}

    @task.venv("old")
    def on_old(payload: dict) -> dict:
        import getpass
        import os
        import sys

        import six  # only in the venv old

        return {
            "version": list(sys.version_info[:2]),
            "executable": sys.executable,
            "base_prefix": sys.base_prefix,
            "user": getpass.getuser(),
            "env": os.environ.get("ASTRO_PYENV_old"),
            "module": six.__name__,
            "total": sum(payload["numbers"]),
            "text": payload["text"] + " via " + "%d.%d" % sys.version_info[:2],
        }

    @task.venv("new")
    def on_new(previous: dict) -> dict:
        import getpass
        import os
        import sys

        import packaging  # only in the venv new

        return {
            "version": list(sys.version_info[:2]),
            "executable": sys.executable,
            "base_prefix": sys.base_prefix,
            "user": getpass.getuser(),
            "env": os.environ.get("ASTRO_PYENV_new"),
            "module": packaging.__name__,
            "total": previous["total"] * 10,
            "text": previous["text"] + " via " + "%d.%d" % sys.version_info[:2],
        }

    @task
    def finish(old: dict, new: dict) -> dict:
        import sys

        print("PYENVC-E2E finish received", old["text"], "|", new["text"])
        return {
            "version": list(sys.version_info[:2]),
            "executable": sys.executable,
            "old_total": old["total"],
            "new_total": new["total"],
            "text": new["text"],
        }

    old = on_old(start())
    finish(old, on_new(old))


pyenvc_e2e()
'''

# Run the DAG inside the image, then print the run's state, its task states and XComs as JSON.
RUN_DAG = r"""
set -eu
airflow db migrate >/tmp/migrate.log 2>&1 || { cat /tmp/migrate.log; exit 1; }
status=0
airflow dags test pyenvc_e2e 2024-01-01 >/tmp/dags-test.log 2>&1 || status=$?
python - <<'EOF'
import json

from airflow.models import DagRun, TaskInstance, XCom
from airflow.utils.session import create_session

with create_session() as session:
    runs = session.query(DagRun).filter(DagRun.dag_id == "pyenvc_e2e").all()
    tis = session.query(TaskInstance).filter(TaskInstance.dag_id == "pyenvc_e2e").all()
    xcoms = session.query(XCom).filter(XCom.dag_id == "pyenvc_e2e", XCom.key == "return_value").all()
    print("PYENVC-E2E-RESULT " + json.dumps({
        "runs": [str(run.state) for run in runs],
        "tasks": {ti.task_id: str(ti.state) for ti in tis},
        "xcom": {x.task_id: x.value for x in xcoms},  # deserialized on load
    }))
EOF
echo "PYENVC-E2E-STATUS $status"
cat /tmp/dags-test.log
"""

# Every entry of the project copy: path, type, mode, owner, size of regular files.
LISTING = r"""find /usr/local/airflow -printf '%p %y %m %u:%G ' \( -type f -printf '%s\n' -o -printf '-\n' \) | sort"""


@attrs.frozen
class Project:
    context: Path
    onbuild: str  # tag: the project without PYENV on the ONBUILD image
    astro: str  # tag: pyenvc's output (the -base rewrite)
    no_astro: str  # tag: pyenvc's output with astro=False
    astro_output: str
    no_astro_output: str
    seconds: dict[str, float]


def _write_project(root: Path, wheel_url: str) -> Path:
    files = {
        "packages.txt": "# Debian packages, one per line\njq\n",
        "requirements.txt": f"pyenvc[airflow] @ {wheel_url}\nhumanize\n",
        "requirements/old.txt": "six\n",
        "requirements/new.txt": "packaging\n",
        "dags/pyenvc_e2e.py": DAG,
        "include/data.csv": "a,b\n1,2\n",
        "include/run.sh": "#!/bin/sh\necho run\n",
        "include/secret.txt": "not for others\n",
        ".astro/config.yaml": "project:\n  name: e2e\n",
        "Dockerfile.pyenv": SOURCE,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    os.chmod(root / "include" / "run.sh", 0o755)
    os.chmod(root / "include" / "secret.txt", 0o600)
    os.chmod(root / "include", 0o750)
    return root


def _compile(context: Path, **options) -> str:
    result = pyenvc.compile(SOURCE, path=str(context / "Dockerfile.pyenv"), context=str(context), **options)
    assert result.output is not None, result.diagnostics
    assert {d.code for d in result.diagnostics} <= {"PYENV101"}, result.diagnostics  # 3.8's end of life only
    return result.output


@pytest.fixture(scope="module")
def project(docker: Docker, runtime_base: str, wheel_url: str, tmp_path_factory) -> Project:
    for image in (RUNTIME_ONBUILD, PYTHON_SLIM["3.8"], PYTHON_SLIM["3.11"]):
        docker.require_image(image)
    context = _write_project(tmp_path_factory.mktemp("astro-project"), wheel_url)
    astro_output = _compile(context)
    no_astro_output = _compile(context, astro=False)
    seconds = {}
    tags = {}
    for name, text in (("onbuild", PLAIN), ("astro", astro_output), ("no_astro", no_astro_output)):
        built = docker.build(text, context=context)
        tags[name] = built.tag
        seconds[name] = round(built.seconds, 1)
    print(f"build seconds: {seconds}")
    return Project(context=context, astro_output=astro_output, no_astro_output=no_astro_output, seconds=seconds, **tags)


def _facts(docker: Docker, tag: str) -> dict:
    """What a later instruction and a container see: the /tmp/seen record of the user's RUN,
    the project copy, the packages of the runtime's Python, jq, and the image config."""
    config = docker.inspect(tag)["Config"]
    out = docker.sh(
        tag,
        "set -eu; cat /tmp/seen; echo '=====SECTION'; " + LISTING + "; echo '=====SECTION';"
        " /usr/local/bin/python -m pip list --format=freeze --disable-pip-version-check 2>/dev/null | sort; echo '=====SECTION';"
        " dpkg-query -W -f '${Package} ${Status}\\n' jq",
    )
    seen, listing, freeze, dpkg = out.split("=====SECTION\n")
    return {
        "seen": seen.splitlines(),
        "listing": listing.splitlines(),
        "freeze": freeze.splitlines(),
        "dpkg": dpkg.strip(),
        "user": config.get("User"),
        "workdir": config.get("WorkingDir"),
        "env": sorted(e for e in config.get("Env") or [] if not e.startswith("ASTRO_PYENV_")),
        "pyenv_env": sorted(e for e in config.get("Env") or [] if e.startswith("ASTRO_PYENV_")),
    }


def test_rewrite_uses_the_base_image_and_no_astro_keeps_the_onbuild_one(project: Project) -> None:
    base = f"FROM {RUNTIME_ONBUILD}-base"
    astro_froms = [line for line in project.astro_output.splitlines() if line.startswith("FROM ")]
    assert astro_froms == [f"{base} AS pyenvc-0-old", f"{base} AS pyenvc-0-new", base]
    assert "COPY requirements.txt /usr/local/airflow/requirements.txt" in project.astro_output
    assert "COPY --chown=astro:0 . /usr/local/airflow/" in project.astro_output
    # --no-astro: the FROM lines name the ONBUILD image; nothing of the rewrite is generated
    plain_froms = [line for line in project.no_astro_output.splitlines() if line.startswith("FROM ")]
    assert plain_froms == [
        f"FROM {RUNTIME_ONBUILD} AS pyenvc-0-old", f"FROM {RUNTIME_ONBUILD} AS pyenvc-0-new", f"FROM {RUNTIME_ONBUILD}"
    ]
    assert "packages.txt" not in project.no_astro_output
    assert "requirements.txt /usr/local/airflow" not in project.no_astro_output


def test_later_instructions_see_what_the_onbuild_image_gives(docker: Docker, project: Project) -> None:
    """The same project on the ONBUILD image without PYENV, and through pyenvc's rewrite (and
    with --no-astro, where the triggers themselves fire): the same project copy (names, types,
    modes, owners, sizes), the same packages in the runtime's Python, jq from packages.txt, the
    same USER, WORKDIR and ENV (but the ASTRO_PYENV_* variables), and the user's RUN after the
    PYENVs ran as the same user in the same directory and saw the same project."""
    onbuild, astro, no_astro = (_facts(docker, tag) for tag in (project.onbuild, project.astro, project.no_astro))
    assert onbuild["seen"] == [
        "astro",
        "/usr/local/airflow",
        "/usr/local/airflow:",
        ".astro", "Dockerfile.pyenv", "dags", "include", "packages.txt", "requirements", "requirements.txt",
        "",
        "/usr/local/airflow/dags:",
        "pyenvc_e2e.py",
        "pyenvc_airflow",
        onbuild["seen"][-1],
    ]
    assert onbuild["seen"][-1].startswith("jq-")
    assert "/usr/local/airflow/include d 750 astro:0 -" in onbuild["listing"]
    assert "/usr/local/airflow/include/run.sh f 755 astro:0 19" in onbuild["listing"]
    assert "/usr/local/airflow/include/secret.txt f 600 astro:0 15" in onbuild["listing"]
    assert any(line.startswith("humanize==") for line in onbuild["freeze"])
    assert any(line.startswith("pyenvc==") for line in onbuild["freeze"])
    assert onbuild["dpkg"] == "jq install ok installed"
    assert (onbuild["user"], onbuild["workdir"], onbuild["pyenv_env"]) == ("astro", "/usr/local/airflow", [])
    for other in (astro, no_astro):
        assert {k: v for k, v in other.items() if k != "pyenv_env"} == {
            k: v for k, v in onbuild.items() if k != "pyenv_env"
        }
        assert other["pyenv_env"] == [f"ASTRO_PYENV_{name}=/home/astro/.venv/{name}/bin/python" for name in ("new", "old")]


def test_venvs_in_both_images(docker: Docker, project: Project) -> None:
    script = (
        "set -eu; for v in old new; do eval py=\\$ASTRO_PYENV_$v;"
        " $py -c 'import sys; print(\"%d.%d\" % sys.version_info[:2], sys.base_prefix)'; done;"
        " $ASTRO_PYENV_old -c 'import six'; $ASTRO_PYENV_new -c 'import packaging';"
        " stat -c '%U:%g' /home/astro/.venv/old /home/astro/.venv/new"
    )
    expected = ["3.8 /opt/pyenvc/python3.8", "3.11 /opt/pyenvc/python3.11", "astro:0", "astro:0"]
    for tag in (project.astro, project.no_astro):
        assert docker.sh(tag, script).splitlines() == expected


def test_dag_with_venv_tasks_runs_inside_the_image(docker: Docker, project: Project) -> None:
    """`airflow dags test` in the built image (Airflow 2.10.1 on Python 3.12): each @task.venv
    ran on its venv's interpreter with its venv's packages, as the image's user, and values
    crossed XCom from Airflow into a venv, from venv to venv, and from a venv back to Airflow."""
    out = docker.run(
        project.astro,
        "bash", "-c", RUN_DAG,
        env={"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__DAGS_FOLDER": "/usr/local/airflow/dags"},
        timeout=900,
    )
    lines = out.splitlines()
    status = next(line for line in lines if line.startswith("PYENVC-E2E-STATUS "))
    result = json.loads(next(line for line in lines if line.startswith("PYENVC-E2E-RESULT "))[18:])
    assert status == "PYENVC-E2E-STATUS 0", out[-8000:]
    assert result["runs"] == ["success"], out[-8000:]
    assert result["tasks"] == dict.fromkeys(("start", "on_old", "on_new", "finish"), "success"), out[-8000:]
    xcom = result["xcom"]
    assert xcom["start"] == {"numbers": [1, 2, 3], "text": "from airflow"}
    for name, module, total, text in (
        ("old", "six", 6, "from airflow via 3.8"),
        ("new", "packaging", 60, "from airflow via 3.8 via 3.11"),
    ):
        version = VENVS[name][0]
        assert xcom[f"on_{name}"] == {
            "version": [int(part) for part in version.split(".")],
            "executable": f"/home/astro/.venv/{name}/bin/python",
            "base_prefix": f"/opt/pyenvc/python{version}",
            "user": "astro",
            "env": f"/home/astro/.venv/{name}/bin/python",
            "module": module,
            "total": total,
            "text": text,
        }
    assert xcom["finish"] == {
        "version": [3, 12],  # Airflow's own Python
        "executable": xcom["finish"]["executable"],
        "old_total": 6,
        "new_total": 60,
        "text": "from airflow via 3.8 via 3.11",
    }
    assert xcom["finish"]["executable"].startswith("/usr/local/bin/python")
    assert "PYENVC-E2E finish received from airflow via 3.8 | from airflow via 3.8 via 3.11" in out
