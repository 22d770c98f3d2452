"""The source of a task function as the venv runs it: task decorators removed, whatever they are called.

In: the (dedented) source of a decorated function. Out: the same source without the decorators
that Airflow applies in the DAG file, which mean nothing in the venv and would fail there with
`NameError` (the venv's script has no `task`, let alone an alias of it).

Airflow strips by text: `@task.venv` literally (Airflow 2 splits on the string, Airflow 3 matches
`task.venv` in a CST). `from airflow.sdk import task as t` then `@t.venv(...)` survives both.
Here the function is parsed with `ast`, and a decorator is a task decorator by its last name,
whatever object it is reached through: `venv`, `venv_task`, `setup`, `teardown`, `skip_if`,
`run_if` (`@t.venv(...)`, `@task.venv`, `@airflow.sdk.task.run_if(...)`, `@setup`). Other
decorators stay, as Airflow leaves them: the venv then reports them as its own error.
Whole lines are removed, so everything else keeps its bytes; comments stay.

No Airflow import: this is plain text handling, tested on its own. Which decorators are task
decorators is the compiler's rule (pyenvc.dags.venv_scope), so that `pyenvc check-dags` reads a
venv function as the venv gets it.
"""

from __future__ import annotations

import ast
import textwrap

from pyenvc.dags.venv_scope import is_task_decorator


def strip_task_decorators(source: str) -> str:
    """Remove the task decorators of the first function defined in `source` (dedented first)."""
    source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        # Newer syntax than this interpreter knows: the venv may still understand it.
        return source
    func = next(
        (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None
    )
    if func is None:
        return source
    lines = source.splitlines(keepends=True)
    drop: set[int] = set()
    for decorator in func.decorator_list:
        if is_task_decorator(decorator):
            # The `@` is on the decorator expression's first line; the expression may span lines.
            drop.update(range(decorator.lineno - 1, decorator.end_lineno))
    return "".join(line for number, line in enumerate(lines) if number not in drop)
