"""Find the venvs that PYENV builds, and read what is installed in them, without Airflow.

In: a venv name (`snowpark`) and the process environment. Out: the interpreter path that
`ENV ASTRO_PYENV_snowpark=...` names, or an error a person can act on; and, for an interpreter,
the versions of distributions installed in its venv, read from the venv's own `*.dist-info`
folders on disk.

Why read dist-info folders instead of asking the interpreter: Airflow's ExternalPythonOperator
asks the venv's Python (`importlib.metadata.version("apache-airflow")` in a subprocess, the old
provider even imported Airflow there) before every task run, and once more for pendulum. A venv
made by PYENV has a fixed layout (`<venv>/pyvenv.cfg`, `<venv>/lib/pythonX.Y/site-packages`), so
the same answer is a directory listing away. Only where the layout is not a plain venv (no
`pyvenv.cfg`, or `include-system-site-packages = true` and the package is not in the venv) do we
fall back to one subprocess running `importlib.metadata`, which never imports Airflow.

This module never imports Airflow: `get_provider_info()` runs while Airflow itself is starting.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from pathlib import Path
from typing import Mapping

ENV_PREFIX = "ASTRO_PYENV_"

# The venv names that PYENV accepts (see docs/pyenv.md): the whole word must match.
VENV_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")


class UnknownVenvError(ValueError):
    """No `ASTRO_PYENV_<name>` variable: raised where the DAG is parsed."""


class VenvInterpreterError(ValueError):
    """`ASTRO_PYENV_<name>` names a path that is not a runnable interpreter: raised when the task runs."""


def shown(text: str) -> str:
    """`text` for a message: as it is when every character prints, else Python's repr of it, so
    that a control character in the environment (an ANSI escape, a newline, a NUL, a byte that
    is not UTF-8) shows as an escape instead of acting on the terminal or the log."""
    return text if text.isprintable() else repr(text)


def caller() -> str | None:
    """Where the DAG file (or whatever user code) called the provider: `path, line N` and the
    line's text, for an error raised while the DAG file is parsed. Airflow's import error keeps
    only the last frames of a traceback (`dagbag_import_error_traceback_depth`, 2 by default),
    which are the provider's own: the message must say where the DAG used it."""
    import linecache
    import sys

    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if not any(module == top or module.startswith(top + ".") for top in ("pyenvc_airflow", "airflow")):
            break
        frame = frame.f_back
    if frame is None:
        return None
    path, line = frame.f_code.co_filename, frame.f_lineno
    text = linecache.getline(path, line).strip()
    return f"{shown(path)}, line {line}" + (f": {shown(text)}" if text else "")


def located(error: Exception) -> Exception:
    """The same error, its message saying where the DAG file used the venv (see `caller`)."""
    where = caller()
    if where is None:
        return error
    return type(error)(f"{error}\n  used at {where}")


def env_var(venv: str) -> str:
    """The variable that PYENV sets for a venv: `snowpark` -> `ASTRO_PYENV_snowpark`."""
    return ENV_PREFIX + venv


def available(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every venv the environment declares, name -> interpreter path, sorted by name."""
    environ = os.environ if environ is None else environ
    return {
        key[len(ENV_PREFIX) :]: value
        for key, value in sorted(environ.items())
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX)
    }


def resolve(venv: object, environ: Mapping[str, str] | None = None) -> str:
    """The interpreter path for a venv name, or `UnknownVenvError` saying what to do."""
    environ = os.environ if environ is None else environ
    if not isinstance(venv, str) or not VENV_NAME.match(venv):
        raise UnknownVenvError(
            f"invalid venv name {venv!r}: expected letters, digits, '_' and '-', "
            f"as in the Dockerfile's `PYENV <python-version> <venv-name>`"
        )
    path = environ.get(env_var(venv))
    if path:
        return path
    raise UnknownVenvError(unknown_message(venv, environ))


def unknown_message(venv: str, environ: Mapping[str, str]) -> str:
    known = {name: path for name, path in available(environ).items() if path}
    state = "is empty" if env_var(venv) in environ else "is not set"
    lines = [f"unknown venv {venv!r}: the environment variable {env_var(venv)} {state}"]
    if known:
        listing = ", ".join(f"{name!r} ({shown(f'{env_var(name)}={path}')})" for name, path in known.items())
        lines.append(f"  venvs in this environment: {listing}")
        close = difflib.get_close_matches(venv, list(known), n=1, cutoff=0.6)
        close += [name for name in known if name.lower() == venv.lower() and name not in close]
        if close:
            lines.append(f"  did you mean {close[0]!r}?")
    else:
        lines.append(f"  venvs in this environment: none (no {ENV_PREFIX}* variable is set)")
    lines.append(
        f"  help: add `PYENV 3.12 {venv} requirements.txt` to the Dockerfile "
        f"(any Python from 3.7 on; the requirements file is optional), compile it with pyenvc "
        f"and rebuild the image"
    )
    return "\n".join(lines)


def check_interpreter(venv: str, python: str) -> None:
    """Raise `VenvInterpreterError` unless `python` is an absolute path to an executable file."""
    where = f"venv {venv!r}: {shown(f'{env_var(venv)}={python}')}"
    path = Path(python)
    problem = None
    if not path.is_absolute():
        problem = "is not an absolute path"
    elif not path.exists():
        if path.is_symlink():
            problem = f"points at no interpreter (a broken link to {shown(os.readlink(path))})"
        else:
            problem = "points at no interpreter (no such file)"
    elif not path.is_file():
        problem = "points at no interpreter (not a file)"
    elif not os.access(path, os.X_OK):
        problem = "points at a file that is not executable"
    if problem:
        raise VenvInterpreterError(
            f"{where} {problem}\n"
            f"  help: ASTRO_PYENV_* is set by the compiled `PYENV ... {venv}` line and names "
            f"<venv>/bin/python; check that this worker runs the image built from that Dockerfile"
        )


# ---------------------------------------------------------------------------------------------
# What a venv has installed


def _normalise(name: str) -> str:
    """A distribution name as PEP 503 compares it: `Apache-Airflow` == `apache_airflow`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def venv_root(python: str) -> Path | None:
    """`<venv>` for `<venv>/bin/python` when `<venv>/pyvenv.cfg` exists (symlinks not followed)."""
    root = Path(python).parent.parent
    return root if (root / "pyvenv.cfg").is_file() else None


def pyvenv_cfg(root: Path) -> dict[str, str]:
    cfg = {}
    for line in (root / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            cfg[key.strip().lower()] = value.strip()
    return cfg


def _metadata_version(folder: Path) -> str | None:
    """The `Version:` header of a dist-info's METADATA (or an egg-info's PKG-INFO)."""
    for name in ("METADATA", "PKG-INFO"):
        try:
            with open(folder / name, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():  # end of the headers
                        break
        except OSError:
            continue
    return None


def _scan_site_packages(root: Path, wanted: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for site in sorted(root.glob("lib*/python*/site-packages")):
        try:
            entries = sorted(os.listdir(site))
        except OSError:
            continue
        for entry in entries:
            stem, dot, suffix = entry.rpartition(".")
            if suffix not in ("dist-info", "egg-info") or not dot:
                continue
            name, _, version = stem.partition("-")
            key = _normalise(name)
            if key in wanted and key not in found:
                found[key] = _metadata_version(site / entry) or version
    return found


_VERSIONS_SCRIPT = """
import sys
try:
    from importlib.metadata import version, PackageNotFoundError
except ImportError:
    from importlib_metadata import version, PackageNotFoundError
for name in sys.argv[1:]:
    try:
        print(name, version(name))
    except PackageNotFoundError:
        pass
"""


def _ask_interpreter(python: str, names: list[str]) -> dict[str, str]:
    try:
        out = subprocess.run(
            [python, "-c", _VERSIONS_SCRIPT, *names],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found = {}
    for line in out.splitlines():
        name, _, version = line.partition(" ")
        if version:
            found[_normalise(name)] = version
    return found


def installed_versions(python: str, *names: str) -> dict[str, str]:
    """Versions of the named distributions installed for `python`; absent ones are left out.

    Reads the venv's dist-info folders; starts one subprocess (never importing Airflow) only
    when `python` is not in a plain venv or the venv sees the system site-packages.
    """
    wanted = {_normalise(n) for n in names}
    root = venv_root(python)
    if root is None:
        return _ask_interpreter(python, sorted(wanted))
    try:
        found = _scan_site_packages(root, wanted)
        system_site = pyvenv_cfg(root).get("include-system-site-packages", "false").lower() == "true"
    except OSError:
        return _ask_interpreter(python, sorted(wanted))
    if system_site and wanted - set(found):
        found.update({k: v for k, v in _ask_interpreter(python, sorted(wanted - set(found))).items()})
    return found


def base_version(version: str) -> str:
    """`2.9.1+astro.1` -> `2.9.1`: the release alone, as the old provider compared versions.

    Drops a local label (`+astro.1`) and post/dev/pre markers, like `packaging`'s `base_version`.
    """
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # packaging comes with Airflow; without it, drop the local label only
        return version.split("+", 1)[0].strip()
    try:
        return Version(version).base_version
    except InvalidVersion:
        return version.split("+", 1)[0].strip()
