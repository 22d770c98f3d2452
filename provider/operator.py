"""`VenvOperator`: Airflow's ExternalPythonOperator, addressed by venv name instead of by path.

In: `venv="p310"` plus every ExternalPythonOperator keyword except `python`. The name is looked
up as `ASTRO_PYENV_p310` when the operator is created (while the DAG file is parsed), so a name
no PYENV declared is a DAG import error that says what to add. `venv` is a template field: a
templated name (`venv="{{ params.venv }}"`) is looked up when the task runs instead.

When the task runs: the interpreter is checked (an absolute path to an executable file, else a
clear error), its Python version is read and logged (see `venv_python`: older than 3.7 is a clear
error, not the `SyntaxError` Airflow's runner script would raise there), then
ExternalPythonOperator runs the callable there. Its Airflow version check is replaced by one that
reads the venv's dist-info folders (no subprocess; see `venvs`) and compares release numbers only,
so `2.9.1+astro.1` in the venv matches `2.9.1` on the host.

`_VenvDecoratedOperator` (`@task.venv`) is this class under `DecoratedOperator`.
"""

from __future__ import annotations

from typing import Any, Sequence

from pyenvc_airflow import venv_python, venvs
from pyenvc_airflow._compat import AIRFLOW_VERSION, ExternalPythonOperator

# What `python` holds until a templated venv name is rendered and looked up (never run).
_UNRESOLVED = "<resolved from the venv name when the task runs>"


def _is_template(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


class VenvOperator(ExternalPythonOperator):
    """Run a Python callable in the venv that `PYENV <python-version> <venv>` built.

    :param venv: the venv's name, as in the Dockerfile's PYENV line (templated). Its interpreter
        is the path in the environment variable ``ASTRO_PYENV_<venv>``.
    :param python_callable: a function defined with def, at module level or nested; it must import
        what it uses inside its body (it runs in another interpreter).

    Every other keyword is ExternalPythonOperator's (``op_args``, ``op_kwargs``, ``serializer``,
    ``expect_airflow``, ``env_vars``, ``inherit_env``, ``templates_dict``, ``string_args``,
    ``skip_on_exit_code``, ...) and means the same.
    """

    template_fields: Sequence[str] = (
        "venv",
        *(f for f in ExternalPythonOperator.template_fields if f != "venv"),
    )

    def __init__(self, *, venv: str, **kwargs: Any) -> None:
        if "python" in kwargs:
            raise TypeError(
                f"{type(self).__name__} takes the venv's name (venv=...), not python=...; "
                "for an interpreter path use ExternalPythonOperator or @task.external_python"
            )
        self.venv = venv
        try:
            python = _UNRESOLVED if _is_template(venv) else venvs.resolve(venv)
        except venvs.UnknownVenvError as error:  # where the DAG file made the task, in the message
            raise venvs.located(error) from None
        super().__init__(python=python, **kwargs)

    def execute(self, context: Any) -> Any:
        # Templates are rendered by now: a templated name is looked up here, in the worker.
        if self.python == _UNRESOLVED or _is_template(self.python):
            self.python = venvs.resolve(self.venv)
        venvs.check_interpreter(self.venv, self.python)
        found = venv_python.version(self.python)
        venv_python.check_supported(self.venv, self.python, found)
        self.log.info(
            "running in venv %r (Python %s, %s)", self.venv, found or "version unknown", venvs.shown(self.python)
        )
        return super().execute(context)

    # ExternalPythonOperator asks the venv's interpreter for these in subprocesses, once each per
    # task run; the venv's dist-info folders give the same answers without starting a process.

    def _get_airflow_version_from_target_env(self) -> str | None:
        found = venvs.installed_versions(self.python, "apache-airflow").get("apache-airflow")
        if found is None:
            if self.expect_airflow:
                self.log.warning(
                    "venv %r (%s) has no apache-airflow installed: the task gets only the basic "
                    "context keys; pass expect_airflow=False to say that is intended",
                    self.venv,
                    venvs.shown(self.python),
                )
            return None
        if venvs.base_version(found) != venvs.base_version(AIRFLOW_VERSION):
            if self.expect_airflow:
                self.log.warning(
                    "venv %r (%s) has Airflow %s but the host runs Airflow %s: the task gets only "
                    "the basic context keys; install apache-airflow==%s in the venv to get them all",
                    self.venv,
                    venvs.shown(self.python),
                    venvs.shown(found),
                    AIRFLOW_VERSION,
                    venvs.base_version(AIRFLOW_VERSION),
                )
            return None
        return found

    def _is_pendulum_installed_in_target_env(self) -> bool:
        if "pendulum" in venvs.installed_versions(self.python, "pendulum"):
            return True
        if getattr(self, "expect_pendulum", False):
            self.log.warning(
                "venv %r (%s) has no pendulum installed: pendulum context keys are not passed",
                self.venv,
                venvs.shown(self.python),
            )
        return False
