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
