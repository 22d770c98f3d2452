"""The distribution's shape: the compiler never pulls Airflow in, and ships what it needs."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata, resources


def test_importing_and_using_the_compiler_never_imports_airflow():
    code = (
        "import sys, pyenvc\n"
        "pyenvc.compile('FROM python:3.12\\nPYENV 3.11 venv\\n')\n"
        "bad = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_airflow_is_only_an_extra():
    requirements = metadata.requires("pyenvc") or []
    airflow = [r for r in requirements if r.startswith("apache-airflow")]
    assert airflow and all("extra ==" in r and "airflow" in r.split("extra ==")[1] for r in airflow)


def test_grammar_and_type_marker_ship_with_the_package():
    package = resources.files("pyenvc")
    assert package.joinpath("grammar.lark").is_file()
    assert package.joinpath("py.typed").is_file()


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "pyenvc", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "pyenvc" in result.stdout


def test_the_grammar_cache_gives_the_same_parser_and_survives_a_bad_file(tmp_path):
    code = (
        "import pyenvc, sys\n"
        "tree = pyenvc.parse('FROM a\\nRUN <<EOF\\nx\\nEOF\\nPYENV 3.8 v\\n')\n"
        "print(type(tree.body[-1]).__name__, len(tree.body[1].heredocs))\n"
    )
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    cache = list((tmp_path / "pyenvc").iterdir())
    assert runs == ["Pyenv 1\n", "Pyenv 1\n"] and len(cache) == 1
    cache[0].write_bytes(b"not a cache\n")
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert again.stdout == "Pyenv 1\n"
