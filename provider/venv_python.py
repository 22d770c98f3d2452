"""Which Python a venv runs, found cheaply, and whether Airflow's runner script can run on it.

In: a venv's name and interpreter path. Out: its version (`3.8.18`), read from the venv's
`pyvenv.cfg` (`version` as `python -m venv` writes it, `version_info` as uv and virtualenv do),
or, where there is no such file, from one short subprocess; and `UnsupportedPythonError` for a
Python that the script ExternalPythonOperator writes cannot run.

Why a minimum: Airflow renders `python_virtualenv_script.jinja2` and runs it in the venv. On
Airflow 2.11 and 3.3 that script begins with `from __future__ import annotations`, which Python
3.6 and older reject, so the task would fail with a `SyntaxError` naming neither the venv nor
the cause. Nothing else in the script needs more than 3.7.

This module never imports Airflow.
"""

from __future__ import annotations

import re
import subprocess

from pyenvc_airflow import venvs

# The oldest Python that Airflow's venv runner script (2.11 and 3.3) compiles on.
MINIMUM = (3, 7)

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")

# Valid on Python 2 as well: it must run on whatever the venv holds.
_ASK = "import sys; sys.stdout.write('.'.join(str(n) for n in sys.version_info[:3]))"


class UnsupportedPythonError(ValueError):
    """The venv's Python is older than Airflow's venv runner script needs: raised when the task runs."""


def _from_pyvenv_cfg(python: str) -> str | None:
    root = venvs.venv_root(python)
    if root is None:
        return None
    try:
        cfg = venvs.pyvenv_cfg(root)
    except OSError:
        return None
    for key in ("version", "version_info"):
        found = _VERSION.match(cfg.get(key, ""))
        if found:
            return ".".join(part for part in found.groups() if part is not None)
    return None


def _from_interpreter(python: str) -> str | None:
    try:
        out = subprocess.run(
            [python, "-E", "-S", "-c", _ASK], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if _VERSION.fullmatch(out) else None


def version(python: str) -> str | None:
    """`3.8.18` for a venv's interpreter; None when neither pyvenv.cfg nor the interpreter says."""
    return _from_pyvenv_cfg(python) or _from_interpreter(python)


def parse(text: str) -> tuple[int, int]:
    """`3.8.18` -> (3, 8)."""
    found = _VERSION.match(text)
    if found is None:
        raise ValueError(f"not a Python version: {text!r}")
    return int(found.group(1)), int(found.group(2))


def check_supported(venv: str, python: str, found: str | None) -> None:
    """Raise `UnsupportedPythonError` when `found` (the venv's Python version) is below `MINIMUM`."""
    if found is None or parse(found) >= MINIMUM:
        return
    minimum = ".".join(map(str, MINIMUM))
    raise UnsupportedPythonError(
        f"venv {venv!r} ({venvs.shown(python)}) runs Python {found}, but Airflow's venv runner "
        f"needs Python {minimum} or newer (the script it writes starts with "
        f"`from __future__ import annotations`)\n"
        f"  help: build the venv with `PYENV {minimum} {venv} ...` or newer in the Dockerfile"
        f", compile it with pyenvc and rebuild the image"
    )
