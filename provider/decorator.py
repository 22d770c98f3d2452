"""`@task.venv("name")`: run a TaskFlow function in the venv that `PYENV ... name` built.

In: the venv's name and ExternalPythonOperator's keywords. Out: a task decorator made by
Airflow's `task_decorator_factory` around `_VenvDecoratedOperator`, which is `VenvOperator`
(name lookup, interpreter check, cheap version check) under `DecoratedOperator`, plus a
`get_python_source` that strips task decorators by parsing, so an aliased decorator
(`@t.venv(...)`) does not reach the venv.

`get_provider_info()` lists `venv_task` under "task-decorators", which is how Airflow finds it as
`task.venv` (`airflow.sdk.task` on Airflow 3, `airflow.decorators.task` on Airflow 2).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

from pyenvc_airflow import venvs
from pyenvc_airflow._compat import DecoratedOperator, task_decorator_factory
from pyenvc_airflow.operator import VenvOperator, _is_template
from pyenvc_airflow.source import strip_task_decorators


class _VenvDecoratedOperator(DecoratedOperator, VenvOperator):
    """Wraps a Python callable and captures args/kwargs when called for execution."""

    template_fields: Sequence[str] = VenvOperator.template_fields
    custom_operator_name: str = "@task.venv"

    def __init__(self, *, python_callable: Callable, op_args: Any, op_kwargs: Any, **kwargs: Any) -> None:
        kwargs_to_upstream = {
            "python_callable": python_callable,
            "op_args": op_args,
            "op_kwargs": op_kwargs,
        }
        super().__init__(
            kwargs_to_upstream=kwargs_to_upstream,
            python_callable=python_callable,
            op_args=op_args,
            op_kwargs=op_kwargs,
            **kwargs,
        )

    def get_python_source(self) -> str:
        return strip_task_decorators(inspect.getsource(self.python_callable))


def venv_task(
    venv: str,
    python_callable: Callable | None = None,
    multiple_outputs: bool | None = None,
    **kwargs: Any,
):
    """Wrap a function into a task that runs in the venv named `venv` (``@task.venv("name")``).

    :param venv: the venv's name from the Dockerfile's ``PYENV <python-version> <venv>`` line; its
        interpreter is the path in ``ASTRO_PYENV_<venv>``. Looked up now, while the DAG file is
        parsed: an unknown name fails here, with the variable looked for, the venvs that exist and
        the PYENV line to add. A templated name is looked up when the task runs.
    :param python_callable: the function (filled in when used as ``@task.venv("name")``).
    :param multiple_outputs: unroll a returned dict into one XCom per key.
    :param kwargs: any other ExternalPythonOperator keyword (``serializer``, ``expect_airflow``,
        ``env_vars``, ``op_kwargs``, ``templates_dict``, ...), or BaseOperator's (``task_id``, ...).
    """
    # Each mistake fails here, at the decorator's line (named in the message: Airflow's import
    # error shows only the last frames), not at the call that makes the task.
    if callable(venv):
        raise venvs.located(TypeError('@task.venv needs the venv\'s name: write @task.venv("name"), not @task.venv'))
    if "python" in kwargs:
        raise venvs.located(TypeError(
            "@task.venv takes the venv's name, not python=...; for an interpreter path use "
            "@task.external_python(python=...)"
        ))
    if not _is_template(venv):
        try:
            venvs.resolve(venv)
        except venvs.UnknownVenvError as error:
            raise venvs.located(error) from None
    return task_decorator_factory(
        venv=venv,
        python_callable=python_callable,
        multiple_outputs=multiple_outputs,
        decorated_operator_class=_VenvDecoratedOperator,
        **kwargs,
    )
