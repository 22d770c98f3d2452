"""A Dockerfile's build stages, as BuildKit reads them from the FROM lines.

In: a parsed `Dockerfile` tree and the `--build-arg` values. Out: the stages in order, each a
`Stage` (its index, its FROM node, its name, its base as written and as resolved, the earlier
stage it is built FROM, its instructions); `find`, the stage a `--target NAME` selects; `chain`,
the stages a stage is built on (itself, its parent, its parent's parent ...); and `global_args`,
the ARG values a FROM line sees.

What BuildKit does (frontend/dockerfile/dockerfile2llb/convert.go), and so what this does:

- The ARGs before the first FROM are global. A `--build-arg` replaces the default of an ARG
  declared there; a build arg no global ARG declares is not seen by FROM. The platform ARGs
  (TARGETARCH, BUILDPLATFORM, ...) are always declared, with values that depend on the machine.
- A FROM's image word is expanded with those ARGs (`expand`: quotes removed, `${X:-w}` ...).
  A value that cannot be known here (a platform ARG, a default that uses one, an ARG with
  neither default nor build arg) leaves the base unresolved (`resolved` is None), never guessed.
- A stage's `AS` name is lower-cased when it is read (`AS Build` is the stage `build`). A FROM
  is built on an earlier stage when its resolved base equals such a name: BuildKit looks the
  base up as it is (`dispatchStates.addState`), so `FROM build` names the stage `AS Build`,
  while `FROM Build` names no stage (and is an image reference BuildKit rejects, upper case).
- Only earlier stages count: BuildKit looks the base up before it registers the stage, so
  `FROM x AS x` and a FROM naming a stage defined further down are images. When two stages
  have the same name, the later one is what the name means from then on.
- `--target NAME` is looked up lower-cased, among all the stages (`findStateByName`).

Nothing here knows PYENV: a stage's instructions are whatever nodes follow its FROM.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Optional, Sequence

import attrs

from pyenvc.docker.shell import Unresolved, expand
from pyenvc.syntax.tree import Arg, Dockerfile, From, Instruction, Word

__all__ = ["PLATFORM_ARGS", "GlobalArgs", "Stage", "chain", "find", "global_args", "read"]

# The ARGs BuildKit declares before any line of the file (defaultArgs); their values are the
# build's and target's platform, which a `--build-arg` may set.
PLATFORM_ARGS = (
    "BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
    "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
)


class GlobalArgs(Mapping[str, str]):
    """The ARGs a FROM line sees: name -> value. A name that is declared but whose value is not
    known here is `in` the mapping, and reading it raises `Unresolved`, so that `expand` with
    these args raises instead of taking a `${X:-default}` it may not take."""

    def __init__(self, values: Mapping[str, Optional[str]]) -> None:
        self._values = dict(values)  # None: declared, value not known

    def __getitem__(self, name: str) -> str:
        value = self._values[name]  # KeyError: not declared
        if value is None:
            raise Unresolved(name)
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"GlobalArgs({self._values!r})"


@attrs.frozen
class Stage:
    """One build stage: a FROM line and the instructions up to the next one."""

    index: int  # 0-based, as `COPY --from=N` counts
    node: From  # its FROM instruction
    name: Optional[str]  # the `AS` name lower-cased, as BuildKit keeps it; None when unnamed
    base: Optional[Word]  # the image word as written (variables unexpanded); None when absent
    resolved: Optional[str]  # `base` expanded with the global ARGs; None when it cannot be known
    parent: Optional["Stage"]  # the earlier stage `resolved` names; None for an image
    instructions: tuple[Instruction, ...]  # after the FROM, up to the next FROM or the end

    @property
    def platform(self) -> Optional[str]:
        """The FROM's `--platform=` value as BuildKit reads it (variables unexpanded), or None."""
        flag = self.node.platform
        return flag.value if flag is not None else None


def global_args(tree: Dockerfile, build_args: Optional[Mapping[str, str]] = None) -> GlobalArgs:
    """The ARG values FROM lines see: the platform ARGs, then each ARG before the first FROM,
    in order, a build arg replacing its default (buildMetaArgs)."""
    build_args = build_args or {}
    values: dict[str, Optional[str]] = {name: build_args.get(name) for name in PLATFORM_ARGS}
    for node in tree.instructions():
        if isinstance(node, From):
            break
        if not isinstance(node, Arg):
            continue
        for pair in node.pairs:
            name = pair.name.value
            if name in build_args:
                values[name] = build_args[name]
            elif pair.value is not None:
                try:
                    values[name] = expand(pair.value.value, GlobalArgs(values), tree.escape)
                except Unresolved:
                    values[name] = None
            # `ARG X` with neither: BuildKit leaves X as it was (undeclared, or a platform ARG)
    return GlobalArgs(values)


def read(tree: Dockerfile, build_args: Optional[Mapping[str, str]] = None) -> tuple[Stage, ...]:
    """The stages of `tree` in order; `build_args` are the `--build-arg` values."""
    args = global_args(tree, build_args)
    stages: list[Stage] = []
    named: dict[str, Stage] = {}  # name -> the last earlier stage of that name
    current: Optional[From] = None
    body: list[Instruction] = []

    def close() -> None:
        if current is not None:
            stage = _stage(len(stages), current, tuple(body), named, args, tree.escape)
            stages.append(stage)
            if stage.name is not None:
                named[stage.name] = stage

    for node in tree.instructions():
        if isinstance(node, From):
            close()
            current, body = node, []
        elif current is not None:
            body.append(node)
    close()
    return tuple(stages)


def _stage(
    index: int, node: From, body: tuple[Instruction, ...], earlier: Mapping[str, Stage], args: GlobalArgs, escape: str
) -> Stage:
    named = node.stage_name
    base = node.image
    resolved = None
    if base is not None:
        try:
            resolved = expand(base.value, args, escape) or None  # empty: BuildKit's "should not be blank"
        except Unresolved:
            resolved = None
    parent = None
    if resolved is not None:
        parent = earlier.get(resolved)
    return Stage(index, node, named.value.lower() if named is not None else None, base, resolved, parent, body)


def find(stages: Sequence[Stage], name: str) -> Optional[Stage]:
    """The stage `--target NAME` builds: the last one with that name, compared lower-cased."""
    wanted = name.lower()
    return next((s for s in reversed(stages) if s.name == wanted), None)


def chain(stage: Stage) -> tuple[Stage, ...]:
    """`stage` and the stages it is built on: itself, its parent, its parent's parent ..."""
    found = [stage]
    while found[-1].parent is not None:
        found.append(found[-1].parent)
    return tuple(found)
