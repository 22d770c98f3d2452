"""dags/statements.py: a file read one top-level statement at a time is the file Python reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pyenvc.dags.statements import chunks

ODD = '''"""A docstring
at column 0,
x = 1
"""
import os  # a comment
@dag(
schedule=None)
@other
def f(a,
b):
    return (a,
b)
# a comment at column 0 inside nothing
if a:
    pass
elif b:
    pass
else:
    pass
try:
    pass
except ValueError:
    pass
finally:
    pass
x = 1 + \\
2
SQL = """
SELECT *
FROM t
"""
y = [
1,
]
class C:
    def g(self):
        return f"{x}"
while x: pass
else: y = 2
'''


def _same_tree(text: str) -> None:
    body = [statement for _, tree in chunks(text) for statement in tree.body]
    joined = ast.Module(body=body, type_ignores=[])
    assert ast.dump(joined, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)


def test_odd_statements_come_out_as_python_reads_them() -> None:
    _same_tree(ODD)
    _same_tree("\n\n# only comments\n")
    _same_tree("x = 1\r\ny = 2\r\n")
    # one statement per chunk: a decorated def, an if chain, a text at column 0 each one
    assert [len(tree.body) for _, tree in chunks(ODD)] == [1] * len(ast.parse(ODD).body)


@pytest.mark.parametrize(
    "broken",
    [
        "def f(:\n    pass\n",
        "x = (\n",
        "s = '''\nnever closed\n",
        "def f():\nx = 1\n",
        "x = = 1\ny = (\n",  # a later tokenizer error wins, as in a whole parse
        "else:\n    pass\n",
        "@dec\nx = 1\n",
        "if x:\n    pass\n  bad_indent\n",
    ],
)
def test_a_syntax_error_is_the_one_a_whole_parse_raises(broken: str) -> None:
    text = ODD + broken + "z = 1\n"
    with pytest.raises(SyntaxError) as whole:
        ast.parse(text)
    with pytest.raises(SyntaxError) as mine:
        list(chunks(text))
    assert (mine.value.msg, mine.value.lineno, mine.value.offset) == (whole.value.msg, whole.value.lineno, whole.value.offset)


def test_the_standard_library_reads_the_same() -> None:
    for path in sorted(Path(ast.__file__).parent.glob("[a-f]*.py")):
        _same_tree(path.read_text("utf-8"))


def _tasks(count: int) -> str:
    return "from airflow.sdk import task\n" + "".join(
        f'@task.venv("v1")\ndef t{i}(x):\n    import json\n    return json.dumps({{"a": [x, {i}], "b": x * 2}})\n\n'
        for i in range(count)
    )


def _live_nodes(tmp_path: Path, count: int) -> int:
    """ast nodes still reachable from what check() returns and what a read file keeps."""
    import gc

    from pyenvc.dags import check as dagcheck

    path = tmp_path / f"dag{count}.py"
    path.write_text(_tasks(count))
    dag = dagcheck._read_dag(str(path))
    assert dag.module is not None
    usages = dag.module.usages()
    assert len(usages) == count
    gc.collect()
    kept = 0
    seen: set[int] = set()
    todo: list = [dag, usages]
    while todo:  # everything the file's reading and its usages hold, followed through containers
        item = todo.pop()
        if id(item) in seen or isinstance(item, (str, int, type(None))):
            continue
        seen.add(id(item))
        if isinstance(item, ast.AST):
            kept += 1
        todo.extend(gc.get_referents(item))
    return kept


def test_a_read_file_keeps_no_tree(tmp_path: Path) -> None:
    # a whole-file tree holds 30 nodes per task here; the reading keeps a stub per venv function
    # and the usage's string: the same few per task at any size, and far fewer than the tree
    small, large = _live_nodes(tmp_path, 50), _live_nodes(tmp_path, 100)
    per_task = (large - small) / 50
    whole = sum(1 for _ in ast.walk(ast.parse(_tasks(1)))) - sum(1 for _ in ast.walk(ast.parse(_tasks(0))))
    assert per_task * 4 <= whole, (per_task, whole)  # measured: 6 against 30
    assert large - 2 * small == small - 2 * _live_nodes(tmp_path, 25), "not a constant per task"
