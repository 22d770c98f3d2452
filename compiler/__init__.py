"""pyenvc: compile PYENV instructions in Dockerfiles into standard Dockerfiles.

The public API, and nothing else: parse a Dockerfile into a lossless tree, print it
back, show Docker's view of it, and compile PYENV instructions away.

Each name is imported on first use (module `__getattr__`), so that `import pyenvc` and the
command line pay only for what they use: `pyenvc.parse` never loads the lowering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Diagnostic", "ParseError", "Result", "compile", "emit", "parse", "to_buildkit"]

# public name -> the module that defines it
_EXPORTS = {
    "Diagnostic": "pyenvc.diagnostics",
    "ParseError": "pyenvc.syntax.parser",
    "Result": "pyenvc.pipeline",
    "compile": "pyenvc.pipeline",
    "emit": "pyenvc.syntax.printer",
    "parse": "pyenvc.syntax.parser",
    "to_buildkit": "pyenvc.syntax.view",
}

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from pyenvc.diagnostics import Diagnostic
    from pyenvc.syntax.view import to_buildkit
    from pyenvc.pipeline import Result, compile
    from pyenvc.syntax.parser import ParseError, parse
    from pyenvc.syntax.printer import emit


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyenvc' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
