"""pyenvc: compile PYENV instructions in Dockerfiles into standard Dockerfiles.

The public API, and nothing else: parse a Dockerfile into a lossless tree, print it
back, show Docker's view of it, and compile PYENV instructions away.
"""

from pyenvc.docker.view import to_buildkit
from pyenvc.diagnostics import Diagnostic
from pyenvc.pipeline import Result, compile
from pyenvc.syntax.parser import ParseError, parse
from pyenvc.syntax.printer import emit

__all__ = ["Diagnostic", "ParseError", "Result", "compile", "emit", "parse", "to_buildkit"]
