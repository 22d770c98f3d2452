"""pyenvc_airflow: run Airflow tasks in the venvs that PYENV builds.

The public API: `venv_task` (what Airflow exposes as `@task.venv`), `VenvOperator` (the classic
operator, `venv="name"`), and `get_provider_info` (what the `apache_airflow_provider` entry point
points at). Airflow calls `get_provider_info` while it is still starting, so this module imports
no Airflow: the other two names are loaded on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["VenvOperator", "get_provider_info", "venv_task"]


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "pyenvc",
        "name": "pyenvc",
        "description": "Run Airflow tasks in the venvs that PYENV builds: @task.venv and VenvOperator",
        "versions": [__version__],
        "task-decorators": [{"name": "venv", "class-name": "pyenvc_airflow.decorator.venv_task"}],
    }


def __getattr__(name: str) -> Any:
    if name == "venv_task":
        from pyenvc_airflow.decorator import venv_task

        return venv_task
    if name == "VenvOperator":
        from pyenvc_airflow.operator import VenvOperator

        return VenvOperator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
