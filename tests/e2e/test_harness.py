"""The e2e harness itself: the local base images have the shape the compiler relies on, and a
hand-written Dockerfile in the shape of PYENV's inline lowering (pyenv.md, "What the output
must guarantee") builds on the runtime image and works. When these fail, the compiler's e2e
tests cannot say anything; when they pass, a failing compiler e2e test is the compiler's.
"""

from __future__ import annotations

import pytest

from harness import APACHE_AIRFLOW, PYTHON_SLIM, RUNTIME3_BASE, RUNTIME3_ONBUILD, RUNTIME_BASE, RUNTIME_ONBUILD

pytestmark = pytest.mark.e2e

# `PYENV 3.8 legacy requirements-legacy.txt` on the runtime image, lowered by hand the way the
# compiler's inline layout does it: the interpreter's own version-suffixed files, ldconfig, the
# venv (owned by the runtime user) before the requirements copy, pip with a cache mount, the
# variable, the USER in effect before restored. Exec form, absolute paths, single lines.
PYENV_SHAPED = f"""\
FROM {RUNTIME_BASE}
# PYENV line 2
USER root
COPY --from={PYTHON_SLIM["3.8"]} /usr/local/bin/*3.8* /usr/local/bin/
COPY --from={PYTHON_SLIM["3.8"]} /usr/local/include/python3.8 /usr/local/include/python3.8
COPY --from={PYTHON_SLIM["3.8"]} /usr/local/lib/pkgconfig/*3.8* /usr/local/lib/pkgconfig/
COPY --from={PYTHON_SLIM["3.8"]} /usr/local/lib/*3.8*.so* /usr/local/lib/
COPY --from={PYTHON_SLIM["3.8"]} /usr/local/lib/python3.8 /usr/local/lib/python3.8
RUN ["ldconfig"]
USER 50000:0
RUN ["/usr/local/bin/python3.8", "-m", "venv", "/home/astro/.venv/legacy"]
COPY --chown=50000:0 requirements-legacy.txt /home/astro/.venv/legacy/requirements.txt
RUN --mount=type=cache,target=/home/astro/.cache/pip,uid=50000,gid=0 ["/home/astro/.venv/legacy/bin/pip", "install", "--disable-pip-version-check", "-r", "/home/astro/.venv/legacy/requirements.txt"]
ENV ASTRO_PYENV_legacy=/home/astro/.venv/legacy/bin/python
USER astro
COPY --chown=astro:0 dags/ /usr/local/airflow/dags/
"""

DAG = "from airflow.decorators import dag\n"


def test_base_images_have_the_expected_shape(docker) -> None:
    for version, image in PYTHON_SLIM.items():
        docker.require_image(image)
        out = docker.run(image, "python3", "-c", "import sys, ssl, sqlite3, ctypes; print(sys.version_info[:2], sys.prefix)")
        assert out.strip() == f"({version.replace('.', ', ')}) /usr/local"
    docker.require_image(RUNTIME_BASE)
    config = docker.inspect(RUNTIME_BASE)["Config"]
    assert config["User"] == "astro"
    assert config["WorkingDir"] == "/usr/local/airflow"
    assert docker.sh(RUNTIME_BASE, "id -u; id -g; echo $HOME; python3 -c 'import sys; print(sys.version_info[:2])'; airflow version").split() == [
        "50000", "0", "/home/astro", "(3,", "12)", "2.10.1",
    ]
    docker.require_image(RUNTIME3_BASE)
    config = docker.inspect(RUNTIME3_BASE)["Config"]
    assert (config["User"], config["WorkingDir"]) == ("astro", "/usr/local/airflow")
    assert docker.sh(RUNTIME3_BASE, "id -u; id -g; echo $HOME; airflow version; python3 -m pip --version | cut -d' ' -f2").split() == [
        "50000", "0", "/home/astro", "3.3.2", "25.3",  # a pip newer than the python image's (23.2.1)
    ]
    docker.require_image(RUNTIME3_ONBUILD)
    assert docker.inspect(RUNTIME3_ONBUILD)["Config"]["OnBuild"] == docker.inspect(RUNTIME_ONBUILD)["Config"]["OnBuild"]
    docker.require_image(APACHE_AIRFLOW)
    assert docker.user(APACHE_AIRFLOW) == "50000"
    assert docker.sh(APACHE_AIRFLOW, "id -un; echo $HOME").split() == ["airflow", "/home/airflow"]
    docker.require_image(docker.uv_image)
    version = docker.uv_image.rsplit(":", 1)[1]
    assert docker.run(docker.uv_image, "--version").split()[:2] == ["uv", version]


def test_pyenv_shaped_dockerfile_builds_and_runs(docker, runtime_base) -> None:
    docker.require_image(PYTHON_SLIM["3.8"])
    built = docker.build(PYENV_SHAPED, {"requirements-legacy.txt": "six\n", "dags/example.py": DAG})
    assert built.tag

    image_env = docker.image_env(built.tag)
    assert image_env["ASTRO_PYENV_legacy"] == "/home/astro/.venv/legacy/bin/python"
    assert docker.user(built.tag) == "astro"

    out = docker.sh(
        built.tag,
        'set -e; "$ASTRO_PYENV_legacy" -c "import sys, six; print(\'%d.%d\' % sys.version_info[:2], six.__name__)"; '
        "stat -c '%u:%g' /home/astro/.venv/legacy; "
        "python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'; "
        "readlink -f /usr/local/bin/python3; "
        "python3 -c 'import airflow; print(airflow.__version__)'; "
        "id -un; pwd; ls /usr/local/airflow/dags",
    )
    assert out.split("\n")[:-1] == [
        "3.8 six",  # the venv runs the requested Python and imports its requirement
        "50000:0",  # owned by the runtime user
        "3.12",  # the base image's own Python is untouched
        "/usr/local/bin/python3.12",
        "2.10.1",  # and Airflow still runs on it
        "astro",
        "/usr/local/airflow",
        "example.py",
    ]

    # The interpreter Airflow runs on is byte for byte the base image's.
    digest = "sha256sum /usr/local/bin/python3.12 /usr/local/lib/libpython3.12.so.1.0"
    assert docker.sh(built.tag, digest) == docker.sh(RUNTIME_BASE, digest)

    # Unchanged input: every step comes from the cache.
    again = docker.build(PYENV_SHAPED, {"requirements-legacy.txt": "six\n", "dags/example.py": DAG}, tag=built.tag)
    assert again.executed == [], (
        "an unchanged rebuild re-ran steps; did another process prune the daemon's build cache "
        "meanwhile (docker builder prune)? Give such work a daemon of its own (PYENVC_E2E_DIR)."
    )


def test_onbuild_runtime_image_runs_its_triggers(docker) -> None:
    docker.require_image(RUNTIME_ONBUILD)
    files = {
        "packages.txt": "# a system package, as users list them\njq\r\n",
        "requirements.txt": "six\n",
        "dags/example.py": DAG,
        "include/data.txt": "x\n",
    }
    built = docker.build(f"FROM {RUNTIME_ONBUILD}\nRUN [\"python3\", \"-c\", \"import six\"]\n", files)
    assert docker.user(built.tag) == "astro"
    out = docker.sh(
        built.tag,
        "set -e; id -un; pwd; jq --version >/dev/null && echo jq; python3 -c 'import six; print(six.__name__)'; "
        "stat -c '%U:%g' dags/example.py include/data.txt; ls",
    )
    assert out.split() == [
        "astro", "/usr/local/airflow", "jq", "six", "astro:0", "astro:0",
        "dags", "include", "packages.txt", "requirements.txt",
    ]
    # The trigger refuses a requirements.txt that pins Airflow.
    log = docker.build_fails(f"FROM {RUNTIME_ONBUILD}\n", {**files, "packages.txt": "", "requirements.txt": "apache-airflow==2.9.0\n"})
    assert "Do not upgrade by specifying 'apache-airflow'" in log


def test_pyenvc_wheel_installs_in_the_runtime_image(docker, runtime_base, pyenvc_wheel) -> None:
    # How a test gets the Airflow provider (pyenvc_airflow) into an image it builds.
    dockerfile = (
        f"FROM {runtime_base}\n"
        f"COPY --chown=astro:0 {pyenvc_wheel.name} /tmp/\n"
        f'RUN ["pip", "install", "--user", "--no-warn-script-location", "/tmp/{pyenvc_wheel.name}"]\n'
    )
    built = docker.build(dockerfile, {pyenvc_wheel.name: pyenvc_wheel.read_bytes()})
    out = docker.run(built.tag, "python3", "-c", "import pyenvc, pyenvc_airflow; print(pyenvc_airflow.__name__)")
    assert out.strip() == "pyenvc_airflow"
