"""What a venv task's function reads that the venv will not have (DAG006, DAG007): Python's
scoping rules, each case checked against what CPython itself does with the source the venv gets.

Every case is also run for real: the function's source is put in a script shaped like Airflow's
(`from __future__ import annotations`, `import sys`, the function, the call) and run in a fresh
interpreter; the names reported are exactly those that raise NameError, one at a time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from pyenvc.dags import check as dagcheck
from pyenvc.dags import venv_scope

# (the function's source, the names it reads that the venv lacks, in order of first read)
CASES = {
    "parameters, defaults of its own, locals": (
        """
        def f(a, /, b=1, *args, c, d=2, **kw):
            e = a + b + c + d + len(args) + len(kw)
            return e
        """,
        [],
    ),
    "a default value is evaluated where the def is": ("def f(a=pd.NA):\n    return a\n", ["pd"]),
    "annotations are never evaluated": ("def f(a: pd.DataFrame) -> pd.Series:\n    b: np.ndarray = 1\n    return b\n", []),
    "an import inside counts from the top": ("def f():\n    import json as j, os.path\n    return j, os.path\n", []),
    "imported in a nested function only": (
        "def f():\n    def g():\n        import json\n        return json\n    return g(), json\n",
        ["json"],
    ),
    "an enclosing function's local is seen by a nested one": (
        "def f():\n    x = 1\n    def g():\n        return x\n    return g()\n",
        [],
    ),
    "a class body's names are not seen by its methods": (
        "def f():\n    class C:\n        pd = 1\n        def m(self):\n            return pd\n    return C().m()\n",
        ["pd"],
    ),
    "nor by a comprehension in the class body, except its first iterable": (
        "def f():\n    class C:\n        xs = [1]\n        ys = [x for x in xs]\n        zs = [xs for _ in range(1)]\n    return C.zs\n",
        ["xs"],
    ),
    "comprehension targets are its own": ("def f():\n    ys = [y for y in range(3)]\n    return ys, y\n", ["y"]),
    "a walrus in a comprehension binds in the function": (
        "def f():\n    ys = [(k := v) for v in range(3)]\n    return ys, k\n",
        [],
    ),
    "global, assigned in the function": ("def f():\n    global G\n    G = 1\n    return G\n", []),
    "global, only read": ("def f():\n    global G\n    return G\n", ["G"]),
    "nonlocal in a nested function": (
        "def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n    g()\n    return n\n",
        [],
    ),
    "except, with, for and match targets": (
        """
        def f(v):
            for i in range(2):
                pass
            with open(sys.executable, "rb") as fh:
                pass
            try:
                raise ValueError
            except ValueError as err:
                e = err
            match v:
                case [first, *rest]:
                    pass
                case {"k": val, **others}:
                    pass
                case str() as s:
                    pass
            return i, fh, e
        """,
        [],
    ),
    "its own name, builtins, dunders and the script's names": (
        "def f(n=0):\n    return (f if n else len), __name__, sys.argv, arg_dict, virtualenv_string_args\n",
        [],
    ),
    "a lambda's parameters are its own": ("def f():\n    g = lambda a, b=c: (a, b)\n    return g(1), a\n", ["c", "a"]),
    "a deleted name is local": ("def f():\n    x = 1\n    del x\n    return 0\n", []),
    "every read is kept, in order": ("def f():\n    return json.dumps(json.loads(x))\n", ["json", "json", "x"]),
}


def _function(source: str) -> ast.FunctionDef:
    node = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


@pytest.mark.parametrize("name", list(CASES))
def test_outside_names(name: str) -> None:
    source, expected = CASES[name]
    assert [n.id for n in venv_scope.outside_names(_function(source))] == expected


_RUN = """\
import __future__, sys, types
source, raised = sys.argv[1], sys.argv[2:]
script = {"__name__": "__main__", "sys": sys, "arg_dict": {}, "virtualenv_string_args": []}
script.update((name, types.SimpleNamespace()) for name in raised)
try:
    exec(compile(source, "<venv>", "exec", __future__.annotations.compiler_flag, dont_inherit=True), script)
    f = script["f"]
    f(1) if f.__code__.co_argcount else f()
except NameError as error:
    print(error.name)
except Exception:
    pass
"""


def _name_errors(source: str) -> list[str]:
    """Run the function as Airflow's script does (its source alone, after the future import,
    beside the script's own names); at each NameError define that name (as an empty namespace)
    and run again. The names, in the order they raised."""
    raised: list[str] = []
    for _ in range(10):
        done = subprocess.run(
            [sys.executable, "-c", _RUN, textwrap.dedent(source), *raised], capture_output=True, text=True, check=True
        )
        missing = done.stdout.strip()
        if not missing:
            return raised
        raised.append(missing)
    return raised


@pytest.mark.parametrize(
    "name",
    [n for n in CASES if n != "every read is kept, in order"],  # json.dumps of a stand-in fails first
)
def test_what_is_reported_is_what_raises_name_error(name: str) -> None:
    source, expected = CASES[name]
    assert _name_errors(source) == list(dict.fromkeys(expected))


DOCKERFILE = "FROM quay.io/astronomer/astro-runtime:12.1.0-python-3.12\nPYENV 3.11 etl\n"

DAG = '''\
import pandas as pd
from os import path as osp
from airflow.sdk import dag, task
from pyenvc_airflow import VenvOperator

LIMIT = 5


def helper():
    return 1


@dag()
def pipeline():
    threshold = 3

    @task.venv("etl", op_kwargs={"x": pd.NA})
    def extract(x):
        return pd.DataFrame(), threshold, osp.join("a"), pd

    extract()


def plain():
    return LIMIT + helper()


VenvOperator(task_id="t", venv="etl", python_callable=plain)
task.venv("etl")(helper)
'''


def test_findings_in_a_dag_file(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(DAG)
    found = dagcheck.check_dags(DOCKERFILE, "Dockerfile", ["dag.py"])
    got = [(d.code, d.line, d.column) for d in found]
    # pd in the task decorator is not read (the provider removes it); reads in the body are.
    assert got == [("DAG006", 19, 16), ("DAG007", 19, 32), ("DAG006", 19, 43), ("DAG007", 25, 12), ("DAG007", 25, 20)]
    first = found[0]
    assert first.message == (
        "`pd` is imported outside extract(), at line 1: the venv runs the source of extract() alone, "
        "so `pd` is a NameError when the task runs (1 more use below)"
    )
    assert first.hint == "import it inside the function: add `import pandas as pd` to the body of extract()"
    assert found[2].hint == "import it inside the function: add `from os import path as osp` to the body of extract()"
    assert found[1].message.startswith("`threshold` is defined outside extract(), at line 15:")
    assert found[3].hint == "define `LIMIT` inside plain(), or pass its value to the task as an argument"


def test_a_callable_the_file_defines_twice_is_not_guessed(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(
        "import json\nfrom airflow.sdk import task\n\nif json:\n    def work():\n        return json\nelse:\n"
        "    def work():\n        return 1\n\ntask.venv('etl')(work)\n"
    )
    assert dagcheck.check_dags(DOCKERFILE, "Dockerfile", ["dag.py"]) == []


def test_a_relative_import_is_no_fix_in_the_venv(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(
        "from .helpers import clean\nfrom airflow.sdk import task\n\n@task.venv('etl')\ndef f():\n    return clean()\n"
    )
    [found] = dagcheck.check_dags(DOCKERFILE, "Dockerfile", ["dag.py"])
    assert (found.code, found.line, found.column) == ("DAG006", 6, 12)
    assert found.hint == (
        "import it inside f() by its absolute name, from a package the venv has: the venv runs the function "
        "as a script, where `from .helpers import clean` (a relative import) fails"
    )


def test_a_default_value_or_decorator_gets_a_hint_of_its_own(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(
        "import functools\nimport math\nfrom airflow.sdk import task\n\n"
        "@task.venv('etl')\n@functools.lru_cache\ndef f(x=math.pi):\n    return x\n"
    )
    found = dagcheck.check_dags(DOCKERFILE, "Dockerfile", ["dag.py"])
    assert [(d.code, d.line, d.column) for d in found] == [("DAG006", 6, 2), ("DAG006", 7, 9)]
    assert found[1].hint == (
        "use `math` only in the body of f(), and add `import math` there: the venv evaluates the function's "
        "default values and its decorators other than the task's too"
    )


def test_every_form_that_runs_a_function_in_a_venv(tmp_path, monkeypatch) -> None:
    """The decorator called on a function (also mapped), the provider's factory with the callable
    positional or by keyword, and the classic operator: each function that runs in a venv is
    checked; `plain`, which runs on Airflow's Python (called from a plain @task), is not."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dag.py").write_text(
        "import json\n"
        "from airflow.sdk import task\n"
        "from pyenvc_airflow import VenvOperator, venv_task\n"
        "def a(): return json\n"
        "def b(): return json\n"
        "def c(): return json\n"
        "def d(): return json\n"
        "def plain(): return json\n"
        "task.venv('etl')(a).expand(x=[1])\n"
        "venv_task('etl', b)\n"
        "task.venv('etl', python_callable=c)\n"
        "VenvOperator(task_id='d', venv='etl', python_callable=d)\n"
        "@task\n"
        "def e(): return plain()\n"
    )
    found = dagcheck.check_dags(DOCKERFILE, "Dockerfile", ["dag.py"])
    assert [(d.code, d.line) for d in found] == [("DAG006", 4), ("DAG006", 5), ("DAG006", 6), ("DAG006", 7)]
