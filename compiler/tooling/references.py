"""What `COPY --from=`, `ADD --from=` and `RUN --mount=...,from=` refer to, as BuildKit resolves
it (dockerfile2llb/convert.go: toCommand and detectRunMount).

In: the stages of a parsed file. Out: a `Reference` per such flag, in file order: the stage it
names, or the image it names when no stage does.

- The value is not expanded: BuildKit refuses a `--from` with a variable in it.
- A value that Go's `strconv.Atoi` reads is a stage index, counted over all the stages of the
  file (an index past the last one is an error for BuildKit; here it names no stage).
- Any other value is looked up lower-cased among the stage names of the whole file, the last
  stage of a name winning, so a stage further down may be named; else it is an image.
- A mount's `from=` is looked up by name only (detectRunMount): `from=0` names an image.
- ONBUILD triggers are not resolved here: their references are read in the build that uses the
  image.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional, Sequence

from pyenvc.source import Span
from pyenvc.syntax import stages
from pyenvc.syntax.tree import Copy, Instruction, Run

__all__ = ["Reference", "read"]

_ATOI = re.compile("[+-]?[0-9]+")  # what Go's strconv.Atoi takes


class Reference(NamedTuple):
    node: Instruction  # the COPY, ADD or RUN
    kind: str  # "copy" (COPY or ADD --from) or "mount" (RUN --mount=from=)
    value: str  # as BuildKit reads it
    span: Span  # where the value is written; Span(-1, -1) where it is not written plainly
    stage: Optional[stages.Stage]  # the stage it names; None for an image
    within: stages.Stage  # the stage the instruction is in

    @property
    def image(self) -> Optional[str]:
        """The image it names, where it names no stage (an index past the stages names none)."""
        if self.stage is not None or (self.kind == "copy" and _ATOI.fullmatch(self.value)):
            return None
        return self.value


def _resolve(value: str, all_stages: Sequence[stages.Stage], by_name: dict, by_index: bool = True) -> Optional[stages.Stage]:
    if by_index and _ATOI.fullmatch(value):
        index = int(value)
        return all_stages[index] if 0 <= index < len(all_stages) else None
    return by_name.get(value.lower())


def read(all_stages: Sequence[stages.Stage]) -> tuple[Reference, ...]:
    by_name = {stage.name: stage for stage in all_stages if stage.name is not None}  # last wins
    found = []
    for stage in all_stages:
        for node in stage.instructions:
            if isinstance(node, Copy):
                flag = node.from_stage
                if flag is not None and flag.value is not None:
                    span = _value_span(flag.word.span, flag.word.raw, flag.value)
                    found.append(Reference(node, "copy", flag.value, span, _resolve(flag.value, all_stages, by_name), stage))
            elif isinstance(node, Run):
                for mount in node.mounts:
                    option = mount.option("from")
                    if option is None:
                        continue
                    span = option.word.span if option.word is not None else Span(-1, -1)
                    found.append(Reference(node, "mount", option.value, span, _resolve(option.value, all_stages, by_name, False), stage))
    return tuple(found)


def _value_span(flag_span: Span, raw: str, value: str) -> Span:
    """The span of a plainly written `--from=VALUE`'s value; Span(-1, -1) otherwise."""
    if flag_span.start < 0 or raw != f"--from={value}" or flag_span.end - flag_span.start != len(raw):
        return Span(-1, -1)
    return Span(flag_span.end - len(value), flag_span.end)
