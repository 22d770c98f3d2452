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


def test_import_pyenvc_loads_nothing_until_a_public_name_is_used_and_then_each_works():
    code = (
        "import sys, pyenvc\n"
        "early = sorted(m for m in sys.modules if m.startswith(('pyenvc.', 'lark', 'attr')))\n"
        "assert not early, early\n"
        "assert set(pyenvc.__all__) <= set(dir(pyenvc))\n"
        "tree = pyenvc.parse('FROM python:3.12\\nRUN true\\n')\n"
        "assert 'pyenvc.lowering.lower' not in sys.modules  # parsing needs no lowering\n"
        "assert pyenvc.emit(tree) == 'FROM python:3.12\\nRUN true\\n'\n"
        "assert [c['cmd'] for c in pyenvc.to_buildkit(tree)['commands']] == ['FROM', 'RUN']\n"
        "result = pyenvc.compile('FROM python:3.12\\nPYENV 3.8 venv\\n')\n"
        "assert isinstance(result, pyenvc.Result) and 'PYENV 3.8 venv' not in result.output\n"
        "assert all(isinstance(d, pyenvc.Diagnostic) for d in result.diagnostics) and result.diagnostics\n"
        "try:\n"
        "    pyenvc.parse('RUN <<EOF\\n')\n"
        "except pyenvc.ParseError as error:\n"
        "    assert error.diagnostics[0].code == 'DF002'\n"
        "else:\n"
        "    raise AssertionError('no ParseError')\n"
        "try:\n"
        "    pyenvc.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
        "namespace = {}\n"
        "exec('from pyenvc import *', namespace)\n"
        "assert {name: namespace[name] for name in pyenvc.__all__} == {name: getattr(pyenvc, name) for name in pyenvc.__all__}\n"
        "from pyenvc import compile as c2, parse as p2\n"
        "assert c2 is pyenvc.compile and p2 is pyenvc.parse\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "ok\n", result.stderr


def test_a_plain_compile_imports_only_what_it_uses(tmp_path):
    """The start-up budget: compiling a file to stdout loads neither Lark (the standalone parser
    runs once it is in the cache) nor what only other commands or options use."""
    code = (
        "import sys\n"
        "from pyenvc.commands.main import main\n"
        "main(['examples/astro-project/Dockerfile.pyenv'])\n"
        "unused = ['lark', 'tempfile', 'difflib', 'shutil', 'pickle', 'base64', 'pyenvc.dags.check', 'pyenvc.commands.build']\n"
        "sys.stderr.write(repr(sorted(name for name in unused if name in sys.modules)))\n"
    )
    project = __import__("pathlib").Path(__file__).resolve().parent.parent
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)}
    for _ in range(2):  # the first run generates the parser
        result = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True, check=True)
    assert result.stderr.endswith("[]"), result.stderr


def test_the_entry_point_runs_main_and_leaves_the_collector_as_it_was():
    code = (
        "import gc, sys\n"
        "from pyenvc import commands\n"
        "for enabled in (True, False):\n"
        "    (gc.enable if enabled else gc.disable)()\n"
        "    assert commands.run(['--version']) == 0\n"
        "    assert gc.isenabled() is enabled and gc.get_freeze_count() == 0, enabled\n"
        "gc.enable()\n"
        "import pyenvc.commands.main as module\n"
        "module.main = lambda argv: (gc.isenabled(), gc.get_freeze_count() > 0, list(argv))\n"
        "assert commands.run(['x']) == (True, True, ['x'])  # main runs collecting, the imports frozen\n"
        "gc.freeze()  # someone else's frozen objects: left as they are\n"
        "frozen = gc.get_freeze_count()\n"
        "assert commands.run(['x'])[1] and gc.get_freeze_count() == frozen\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.endswith("ok\n"), result.stderr
