"""`Document`: a Dockerfile for tools, read as BuildKit reads it, edited without touching the
bytes around an edit.

In: the file's text (and the `--build-arg` values a build would get). Out: typed queries (the
stages and the FROM chain, ARG values, what ENV, LABEL, USER, WORKDIR and SHELL are in effect at
any instruction, `--from` references, PYENV venvs) and edits, each of which returns a new
`Document` and leaves this one as it was.

Everything is read from the lossless tree (syntax/tree.py) once, on first use.
"""

from __future__ import annotations

import functools
from typing import Mapping, NamedTuple, Optional, Sequence, Union

import attrs

from pyenvc.docker.shell import Unresolved
from pyenvc.source import Source
from pyenvc.syntax import stages as stage_reader
from pyenvc.syntax.parser import parse
from pyenvc.syntax.printer import emit
from pyenvc.syntax.tree import Dockerfile, Instruction, Pyenv, Word
from pyenvc.tooling import edits, references, state, summary

__all__ = ["Document", "Venv"]

Stage = stage_reader.Stage
StageKey = Union[int, str, Stage]


class Venv(NamedTuple):
    """A PYENV instruction's venv, as written (the compiler checks it: `pyenvc.compile`)."""

    node: Pyenv
    stage: Stage
    name: Optional[Word]
    version: Optional[Word]
    requirements: Optional[Word]


@attrs.frozen
class Document:
    """A parsed Dockerfile. Make one with `Document.parse(text)`; it raises `pyenvc.ParseError`
    (whose `diagnostics` say where) for a file BuildKit's parser rejects."""

    tree: Dockerfile
    build_args: Mapping[str, str] = attrs.field(factory=dict, converter=lambda value: dict(value or {}))

    @classmethod
    def parse(cls, text: str, build_args: Optional[Mapping[str, str]] = None) -> "Document":
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        return cls(parse(text), build_args or {})

    @property
    def text(self) -> str:
        """The file, byte for byte as parsed, edits applied."""
        return emit(self.tree)

    @functools.cached_property
    def source(self) -> Source:
        """The text with its line index: `source.position(offset)` gives the 1-based line and
        column (in characters) of an offset, such as a `Word`'s `span.start`."""
        return Source(self.text)

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(self.tree.instructions())

    # -- stages --------------------------------------------------------------------------------

    @functools.cached_property
    def stages(self) -> tuple[Stage, ...]:
        """The build stages in order: index, name (lower-cased), base as written, base resolved
        with the global ARGs (None where it cannot be known), the parent stage it is FROM."""
        return stage_reader.read(self.tree, self.build_args)

    def stage(self, key: StageKey) -> Stage:
        """A stage by index (negative counts from the end), by name (as `--target` looks it up),
        or the stage itself. Raises KeyError when there is none."""
        if isinstance(key, Stage):
            return key
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            raise TypeError(f"a stage is named by an int index or a str name, not {type(key).__name__}")
        if isinstance(key, int):
            try:
                return self.stages[key]
            except IndexError:
                raise KeyError(key) from None
        found = stage_reader.find(self.stages, key)
        if found is None:
            raise KeyError(key)
        return found

    def chain(self, key: StageKey) -> tuple[Stage, ...]:
        """The stage and the stages it is built FROM: itself, its parent, its parent's parent..."""
        return stage_reader.chain(self.stage(key))

    def stage_of(self, node: Instruction) -> Optional[Stage]:
        """The stage an instruction belongs to (None before the first FROM)."""
        for stage in reversed(self.stages):
            if stage.node.start <= node.start:
                return stage
        return None

    # -- what is in effect -----------------------------------------------------------------------

    @functools.cached_property
    def _states(self) -> state.States:
        return state.states(self.tree, self.build_args)

    @functools.cached_property
    def _by_start(self) -> dict[int, Instruction]:
        return {node.start: node for node in self.tree.instructions()}

    @functools.cached_property
    def global_args(self) -> dict[str, Optional[str]]:
        """The ARGs before the first FROM with their values (build args applied), as FROM lines
        see them; None where the value is not known at compile time."""
        found: dict[str, Optional[str]] = {}
        values = stage_reader.global_args(self.tree, self.build_args)
        for name in values:
            if name in stage_reader.PLATFORM_ARGS and name not in self.build_args:
                continue  # the machine's, declared by BuildKit itself
            try:
                found[name] = values[name]
            except Unresolved:
                found[name] = None
        return found

    def state_at(self, node: Instruction) -> state.State:
        """What is in effect when `node` runs: the state before it (for a FROM, the state its
        stage starts with). Raises KeyError for a node before the first FROM or not in this file."""
        if self._by_start.get(node.start) != node or node.start not in self._states.before:
            raise KeyError(f"no stage of this document holds the instruction at offset {node.start}")
        return self._states.before[node.start]

    def state_after(self, key: StageKey) -> state.State:
        """What is in effect at the end of a stage: the image configuration it builds."""
        return self._states.final[self.stage(key).index]

    # -- references and venvs --------------------------------------------------------------------

    @functools.cached_property
    def references(self) -> tuple[references.Reference, ...]:
        """Every `COPY --from`, `ADD --from` and `RUN --mount=from=` in file order, with the stage or
        image it names."""
        return references.read(self.stages)

    @property
    def external_images(self) -> set[str]:
        """The images the build takes from outside the file: the bases of stages built FROM no
        stage, and the `--from`/`from=` values that name no stage (`scratch` is none, and a word
        whose variables are not known stays out)."""
        bases = {stage.resolved for stage in self.stages if stage.parent is None and stage.resolved}
        named = {reference.image for reference in self.references if reference.image}
        return {word for word in bases | named if word != "scratch" and "$" not in word}

    @functools.cached_property
    def venvs(self) -> tuple[Venv, ...]:
        """The PYENV instructions per stage, as written."""
        return tuple(
            Venv(node, stage, node.name, node.version, node.requirements)
            for stage in self.stages
            for node in stage.instructions
            if isinstance(node, Pyenv)
        )

    # -- dockerfile-parse's summaries, read as Docker reads the file --------------------------------

    @property
    def structure(self) -> list[dict]:
        """dockerfile-parse's `structure`: a dict per instruction and comment line."""
        return summary.structure(self)

    @property
    def json(self) -> str:
        return summary.json(self)

    @property
    def parent_images(self) -> list[str]:
        """Each stage's base image (global ARGs expanded where known; a stage's name where it is
        built FROM a stage)."""
        return summary.parent_images(self)

    @property
    def base_image(self) -> Optional[str]:
        """The final stage's base image (dockerfile-parse's `baseimage`)."""
        images = self.parent_images
        return images[-1] if images else None

    @property
    def is_multistage(self) -> bool:
        return len(self.stages) > 1

    @property
    def cmd(self) -> Optional[Instruction]:
        """The final stage's last CMD."""
        return summary.cmd(self)

    @property
    def labels(self) -> dict[str, Optional[str]]:
        """The labels the final stage's image gets from this file (its parent stages' included)."""
        return dict(self.state_after(-1).labels) if self.stages else {}

    @property
    def envs(self) -> dict[str, Optional[str]]:
        """The environment the final stage's image gets from this file."""
        return dict(self.state_after(-1).env) if self.stages else {}

    @property
    def args(self) -> dict[str, Optional[str]]:
        """The ARGs in effect at the end of the final stage (None: declared, no value known)."""
        return dict(self.state_after(-1).args) if self.stages else {}

    def with_env(self, key: StageKey, name: str, value: str) -> "Document":
        """An ENV set in the stage: the last ENV pair of `name` gets the new value, else a new
        `ENV name=value` line goes at the end of the stage."""
        return self._edited(edits.set_env(self, self.stage(key), name, value))

    def with_cmd(self, argv: Sequence[str]) -> "Document":
        """The final stage's CMD replaced (or added) in exec form."""
        instruction = edits.NewInstruction("CMD", argv=tuple(argv))
        last = self.cmd
        return self.replaced(last, instruction) if last is not None else self.inserted(len(self.instructions), instruction)

    # -- edits: each returns a new Document ---------------------------------------------------

    def _edited(self, edit: "edits.Edit") -> "Document":
        return Document(edits.checked(self, edit), self.build_args)

    def with_base_image(self, key: StageKey, image: Optional[str] = None, *, tag: Optional[str] = None,
                        digest: Optional[str] = None) -> "Document":
        """The stage's FROM with another image, or the same image with another tag or digest
        (`digest=""` removes the digest)."""
        return self._edited(edits.set_base_image(self, self.stage(key), image, tag, digest))

    def with_label(self, key: StageKey, name: str, value: str) -> "Document":
        """A LABEL set in the stage: the last LABEL that sets `name` gets the new value, else
        a new LABEL line goes at the end of the stage."""
        return self._edited(edits.set_label(self, self.stage(key), name, value))

    def without_label(self, key: StageKey, name: str) -> "Document":
        """Every `name=` pair of the stage's LABELs removed (a LABEL left empty goes)."""
        return self._edited(edits.remove_label(self, self.stage(key), name))

    def with_arg_default(self, name: str, value: str, key: Optional[StageKey] = None) -> "Document":
        """The default of ARG `name`: a global ARG when `key` is None, else the stage's ARG.
        Raises KeyError when no such ARG is declared there."""
        return self._edited(edits.set_arg_default(self, None if key is None else self.stage(key), name, value))

    def with_stage_renamed(self, key: StageKey, new_name: str) -> "Document":
        """The stage named `new_name`, and every FROM, `--from` and `from=` that named it
        updated; a stage without a name gets `AS new_name`."""
        return self._edited(edits.rename_stage(self, self.stage(key), new_name))

    def inserted(self, index: int, instruction: "edits.NewInstruction") -> "Document":
        """A new instruction before `self.instructions[index]` (`len(instructions)`: at the end)."""
        return self._edited(edits.insert(self, index, instruction))

    def replaced(self, node: Instruction, instruction: "edits.NewInstruction") -> "Document":
        return self._edited(edits.replace(self, node, instruction))

    def removed(self, node: Instruction) -> "Document":
        return self._edited(edits.remove(self, node))
