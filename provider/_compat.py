"""The one place that knows Airflow 2 from Airflow 3: everything else imports Airflow from here.

Out: `AIRFLOW_VERSION` (the host's version string), `AIRFLOW_3` and the three Airflow names the
provider builds on, from wherever the running Airflow keeps them:

| name                     | Airflow 3.x                                  | Airflow 2.10+ |
| ---                      | ---                                          | --- |
| `DecoratedOperator`,     | `airflow.sdk.bases.decorator`                | `airflow.decorators.base` |
| `task_decorator_factory` |                                              | |
| `ExternalPythonOperator` | `airflow.providers.standard.operators.python` | the same where the standard provider is installed, else `airflow.operators.python` |
"""

from __future__ import annotations

from airflow import __version__ as AIRFLOW_VERSION
from packaging.version import Version

AIRFLOW_3 = Version(AIRFLOW_VERSION).major >= 3

if AIRFLOW_3:
    from airflow.sdk.bases.decorator import DecoratedOperator, task_decorator_factory
else:
    from airflow.decorators.base import DecoratedOperator, task_decorator_factory

try:
    from airflow.providers.standard.operators.python import ExternalPythonOperator
except ImportError:  # Airflow 2 without the standard provider (it needs Airflow >= 2.11 and Python >= 3.11)
    from airflow.operators.python import ExternalPythonOperator  # type: ignore[no-redef]

__all__ = [
    "AIRFLOW_3",
    "AIRFLOW_VERSION",
    "DecoratedOperator",
    "ExternalPythonOperator",
    "task_decorator_factory",
]
