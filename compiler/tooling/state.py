"""What is in effect at each instruction of a stage, as BuildKit's dispatcher computes it
(frontend/dockerfile/dockerfile2llb/convert.go): the ARG and ENV variables the instruction's
words are expanded with, and the image configuration so far (ENV, LABEL, USER, WORKDIR, SHELL).

In: the stages of a parsed file (syntax/stages.py) and the `--build-arg` values. Out: for every
instruction node, the `State` before it runs.

BuildKit's rules, and so these:

- A stage built FROM an earlier stage starts with that stage's final state (its variables, ARGs
  included, and its image configuration); a stage FROM an image starts with the image's own
  configuration, which the file does not show: then a name the file never set is not known
  (`None` when read, and an expansion that needs it is not known either), except FROM scratch,
  which has none.
- `ARG NAME[=default]`: a `--build-arg` value wins; else the default, expanded with the variables
  so far; else the global ARG of that name (declared before the first FROM); else it is declared
  without a value. An ARG with a value is a variable from then on, like an ENV, but it is not in
  the image's environment.
- ENV, LABEL, USER and WORKDIR expand their words with the variables in effect before the
  instruction: every pair of one ENV sees the values from before that ENV. WORKDIR joins a
  relative path to the current one, as Go's `path.Join`. SHELL is JSON and is not expanded.
"""

from __future__ import annotations

import posixpath
from typing import Mapping, NamedTuple, Optional

from pyenvc.docker.shell import Unresolved, expand
from pyenvc.syntax import stages
from pyenvc.syntax.tree import Dockerfile, Instruction

__all__ = ["State", "States", "UNKNOWN", "states"]

UNKNOWN = None  # a value that is not known at compile time (from the base image, or the machine)


class State(NamedTuple):
    """What an instruction sees: each mapping is name -> value, the value None where it is not
    known here. `from_image` is True where the stage's root is an image other than scratch, so
    names absent from `variables`, `env` and `labels` may still be set by that image."""

    variables: Mapping[str, Optional[str]]  # what `$NAME` expands to: ARGs and ENVs so far
    args: Mapping[str, Optional[str]]  # the ARGs declared in the stage (and the stages it is FROM)
    env: Mapping[str, Optional[str]]  # the image's environment: ENVs only
    labels: Mapping[str, Optional[str]]
    user: Optional[str]  # None: the base image's (unknown); "" where FROM scratch set none
    workdir: Optional[str]  # None: the base image's (unknown)
    shell: Optional[tuple[str, ...]]  # None: the base image's, or BuildKit's ["/bin/sh", "-c"]
    from_image: bool


def _initial(stage: stages.Stage, finals: dict[int, State]) -> State:
    if stage.parent is not None:
        return finals[stage.parent.index]
    scratch = stage.resolved == "scratch"
    return State({}, {}, {}, {}, "" if scratch else None, "/" if scratch else None, None, not scratch)


class _Variables(Mapping[str, Optional[str]]):
    """The variables for `expand`: a name the file did not set is unknown under an image root,
    and an unset (empty) variable under scratch."""

    def __init__(self, values: Mapping[str, Optional[str]], from_image: bool) -> None:
        self._values = values
        self._from_image = from_image

    def __getitem__(self, name: str) -> Optional[str]:
        if name in self._values:
            return self._values[name]
        if self._from_image:
            return None
        raise KeyError(name)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:  # type: ignore[override]
        if name in self._values:
            return self._values[name]
        return None if self._from_image else default

    def __contains__(self, name: object) -> bool:
        return name in self._values or self._from_image

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _expand(word: str, state: State, escape: str) -> Optional[str]:
    try:
        return expand(word, _Variables(state.variables, state.from_image), escape, unset="" if not state.from_image else None)
    except Unresolved:
        return UNKNOWN


def _go_join(current: str, path: str) -> str:
    """system.NormalizeWorkdir on Linux: Go's path.Join onto the current directory, cleaned."""
    joined = path if path.startswith("/") else posixpath.join(current or "/", path)
    cleaned = posixpath.normpath(joined) if joined else "/"
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _apply(node: Instruction, state: State, global_args: stages.GlobalArgs, build_args: Mapping[str, str], escape: str) -> State:
    command = node.command
    if command == "arg":
        variables, args = dict(state.variables), dict(state.args)
        for pair in node.pairs:  # type: ignore[attr-defined]
            name = pair.name.value
            value: Optional[str]
            if name in build_args:
                value = build_args[name]
            elif pair.value is not None:
                value = _expand(pair.value.value, state._replace(variables=variables), escape)
            elif name in global_args:
                try:
                    value = global_args[name]
                except Unresolved:
                    value = UNKNOWN
            else:
                args.setdefault(name, None)
                continue
            args[name] = value
            variables[name] = value
        return state._replace(variables=variables, args=args)
    if command in ("env", "label"):
        values = dict(state.env if command == "env" else state.labels)
        variables = dict(state.variables)
        for pair in node.pairs:  # type: ignore[attr-defined]
            value = _expand(pair.value.value, state, escape) if pair.value is not None else ""
            name = _expand(pair.name.value, state, escape) if command == "label" else pair.name.value
            if name is None:
                continue  # a label whose name is not known here
            values[name] = value
            if command == "env":
                variables[name] = value
        if command == "env":
            return state._replace(env=values, variables=variables)
        return state._replace(labels=values)
    if command == "user":
        words = node.words
        return state._replace(user=_expand(words[0].value, state, escape) if words else state.user)
    if command == "workdir":
        words = node.words
        if not words:
            return state
        path = _expand(words[0].value, state, escape)
        if path is None or (state.workdir is None and not path.startswith("/")):
            return state._replace(workdir=UNKNOWN)
        return state._replace(workdir=_go_join(state.workdir or "/", path))
    if command == "shell":
        if node.is_json:
            return state._replace(shell=tuple(word.value for word in node.words))
        return state
    return state


class States(NamedTuple):
    before: dict[int, State]  # instruction start offset -> the state it runs in (a FROM: the stage's first)
    final: dict[int, State]  # stage index -> the state at its end: the image configuration it builds


def states(tree: Dockerfile, build_args: Optional[Mapping[str, str]] = None) -> States:
    """The state before each instruction of every stage, and each stage's final state."""
    build_args = dict(build_args or {})
    global_args = stages.global_args(tree, build_args)
    before: dict[int, State] = {}
    finals: dict[int, State] = {}
    for stage in stages.read(tree, build_args):
        state = _initial(stage, finals)
        before[stage.node.start] = state
        for node in stage.instructions:
            before[node.start] = state
            state = _apply(node, state, global_args, build_args, tree.escape)
        finals[stage.index] = state
    return States(before, finals)

