"""The README's Quick start, run line by line as it is written there: build the provider wheel
into the example project, compile its Dockerfile.pyenv, `docker build` the project, and run the
example DAG in the image with `airflow dags test`. The lines are read from the README, so the
test fails when the README and the project drift apart.

It runs in a copy of this checkout (its files as they are, `.venv` linked in), so nothing is
written into the working tree. Two stand-ins, both for this machine only: the e2e daemon has no
bridge network, so the `docker` on PATH adds `--network=host` to `build` and `run`; and no
registry is reachable, so the base images are the local ones scripts/e2e-setup built.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from harness import PYTHON_SLIM, RUNTIME_BASE, Docker

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
TAG = "pyenvc-example"  # the README's


def quick_start_commands(readme: str) -> list[str]:
    """The command lines of the first `sh` block under `## Quick start`, comments dropped."""
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "no ```sh block under ## Quick start"
    lines = []
    for line in block.group(1).splitlines():
        command = line.split("  #", 1)[0].strip()  # a comment after the command
        if command and not command.startswith("#"):
            lines.append(command)
    return lines


def test_the_commands_are_what_the_readme_says() -> None:
    commands = quick_start_commands((PROJECT / "README.md").read_text("utf-8"))
    assert commands[0] == "scripts/setup"
    assert [c.split()[0] for c in commands] == ["scripts/setup", ".venv/bin/python", ".venv/bin/pyenvc", "docker", "docker"]


def _copy_of_the_checkout(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT, capture_output=True, check=True,
    ).stdout.decode("utf-8", "surrogateescape").split("\0")
    for name in filter(None, files):
        source = PROJECT / name
        if not source.is_file():  # deleted in the working tree
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        target.chmod(source.stat().st_mode & 0o777)
    (dest / ".venv").symlink_to(PROJECT / ".venv")
    return dest


def _docker_with_host_network(bin_dir: Path, client: str) -> None:
    bin_dir.mkdir()
    wrapper = bin_dir / "docker"
    wrapper.write_text(
        "#!/bin/sh\n"
        "# the e2e daemon has no bridge network: build and run on the host's\n"
        f'case "$1" in build|run) sub=$1; shift; exec {shlex.quote(client)} "$sub" --network=host "$@";; esac\n'
        f'exec {shlex.quote(client)} "$@"\n'
    )
    wrapper.chmod(0o755)


def test_quick_start_builds_the_example_and_its_dag_runs(docker: Docker, runtime_base: str, tmp_path: Path) -> None:
    for image in (RUNTIME_BASE, *PYTHON_SLIM.values(), docker.uv_image):
        docker.require_image(image)
    commands = quick_start_commands((PROJECT / "README.md").read_text("utf-8"))
    checkout = _copy_of_the_checkout(tmp_path / "checkout")
    _docker_with_host_network(tmp_path / "bin", docker.client)
    env = dict(docker.env, PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    docker.built.append(TAG)  # removed with the session's other images
    outputs = []
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, f"{command}\n--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-6000:]}"
        outputs.append(done.stdout + done.stderr)

    example = checkout / "examples" / "astro-project"
    assert len(list((example / "wheels").glob("pyenvc-*.whl"))) == 1
    assert (example / "Dockerfile").read_bytes() == (PROJECT / "examples" / "astro-project" / "Dockerfile").read_bytes()
    # The provider is in the image, on Airflow's own Python, and Airflow finds task.venv.
    found = docker.run(TAG, "python", "-c", "import pyenvc_airflow; from airflow.decorators import task; print(task.venv)")
    assert "venv_task" in found
    # `airflow dags test` ran every task, each venv task on its own Python.
    log = outputs[-1]
    assert re.search(r"DagRun Finished: dag_id=venvs_example, .*state=success", log), log[-8000:]
    for task_id in ("extract", "legacy_transform", "report", "check_versions", "publish"):
        assert f"Marking task as SUCCESS. dag_id=venvs_example, task_id={task_id}," in log, (task_id, log[-8000:])
    for venv in ("legacy", "reports", "tools"):
        assert re.search(rf"Executing cmd: /home/astro/\.venv/{venv}/bin/python /tmp/\S+/script\.py", log), venv
    assert "tools venv runs Python 3.12." in log
