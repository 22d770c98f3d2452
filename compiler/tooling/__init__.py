"""pyenvc for Dockerfile tooling: typed reads as BuildKit reads a file, and lossless edits.

`Document.parse(text)` gives the stages, the ARG values, what is in effect at each instruction,
the `--from` references and the PYENV venvs; its `with_...`, `inserted`, `replaced` and
`removed` methods return a new `Document` in which only the edited bytes differ.
"""

from pyenvc.syntax.emitter import NewInstruction, Unrepresentable
from pyenvc.tooling.edits import split_reference
from pyenvc.tooling.document import Document, Stage, Venv
from pyenvc.tooling.references import Reference
from pyenvc.tooling.state import State

__all__ = ["Document", "NewInstruction", "Reference", "Stage", "State", "Unrepresentable", "Venv", "split_reference"]
