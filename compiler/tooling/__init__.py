r"""pyenvc for Dockerfile tooling: typed reads as BuildKit reads a file, and lossless edits.

`Document.parse(text)` gives the stages, the ARG values, what is in effect at each instruction,
the `--from` references and the PYENV venvs; its `with_...`, `inserted`, `replaced` and
`removed` methods return a new `Document` in which only the edited bytes differ.

>>> from pyenvc.tooling import Document
>>> doc = Document.parse("ARG V=3.12\nFROM python:${V}-slim AS build\nLABEL a=1 b=2\nFROM build\n")
>>> [(stage.index, stage.name, stage.resolved) for stage in doc.stages]
[(0, 'build', 'python:3.12-slim'), (1, None, 'build')]
>>> doc.state_after(1).labels  # a stage built FROM another starts with its state
{'a': '1', 'b': '2'}
>>> print(doc.with_arg_default("V", "3.13").with_stage_renamed("build", "base").text, end="")
ARG V=3.13
FROM python:${V}-slim AS base
LABEL a=1 b=2
FROM base
"""

from pyenvc.syntax.emitter import NewInstruction, Unrepresentable
from pyenvc.tooling.edits import split_reference
from pyenvc.tooling.document import Document, Stage, Venv
from pyenvc.tooling.references import Reference
from pyenvc.tooling.state import State

__all__ = ["Document", "NewInstruction", "Reference", "Stage", "State", "Unrepresentable", "Venv", "split_reference"]
