"""Three tasks, three Pythons: each @task.venv runs in a venv that a PYENV line in
Dockerfile.pyenv builds; the undecorated tasks run on Airflow's own Python."""

from __future__ import annotations

import sys

import pendulum
from airflow.decorators import dag, task


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False, tags=["pyenvc"])
def venvs_example():
    @task
    def extract() -> list[dict]:
        print(f"Airflow's Python: {sys.version}")
        return [{"name": "a", "value": 1}, {"name": "b", "value": 2}]

    @task.venv("legacy")  # Python 3.8, requirements/legacy.txt
    def legacy_transform(rows: list) -> list:
        import sys

        import six  # only installed in the legacy venv

        assert sys.version_info[:2] == (3, 8)
        return [dict(row, value=row["value"] * 10, text=six.text_type(row["name"])) for row in rows]

    @task.venv("reports")  # Python 3.11, requirements/reports.txt
    def report(rows: list) -> str:
        from tabulate import tabulate

        return tabulate(rows, headers="keys")

    @task.venv("tools")  # Python 3.12, a venv of its own next to Airflow's 3.12
    def check_versions() -> str:
        import sys

        from packaging.version import Version

        return str(Version(".".join(map(str, sys.version_info[:3]))))

    @task
    def publish(table: str, version: str) -> None:
        print(table)
        print(f"tools venv runs Python {version}")

    publish(report(legacy_transform(extract())), check_versions())


venvs_example()
