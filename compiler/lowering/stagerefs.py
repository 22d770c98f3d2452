"""Numeric stage references (`COPY --from=N`, `ADD --from=N`) kept pointing at the stage they
named when the stages layout inserts venv stages before some stages.

A mount's `from=N` is no stage reference: BuildKit looks a mount's source up by stage name only
(dockerfile2llb's detectRunMount), so `--mount=from=1` names the image `1`, and stays as written.

In: the lowered body, the number of the user's stages, and how many venv stages were inserted
before each. Out: the body with those references rewritten in place, every other byte kept.
"""

from __future__ import annotations

import re

from pyenvc.syntax.tree import Copy, Instruction

_INDEX = re.compile("([+-]?)([0-9]+)")  # what Go's strconv.Atoi reads as a stage index


def renumber(body: list, stage_count: int, inserted: dict) -> None:
    """Venv stages inserted before a stage shift the index of it and every later stage:
    rewrite each numeric reference so it still names the stage it named. ONBUILD triggers are
    left alone (their numbers count the stages of the build that uses the image), and so is an
    index beyond the stages, which BuildKit reads as an image name."""
    shift, total = [], 0
    for number in range(stage_count):
        total += inserted.get(number, 0)
        shift.append(total)
    for index, node in enumerate(body):
        if not isinstance(node, Copy):  # an ONBUILD trigger is an Onbuild node
            continue
        edits = [(a, b, sign + str(value + shift[value])) for a, b, sign, value in _stage_refs(node) if value < stage_count]
        if edits and any(new != node.text[a:b] for a, b, new in edits):
            text = node.text
            for a, b, new in reversed(edits):
                text = text[:a] + new + text[b:]
            body[index] = node.with_text(text)


def _stage_refs(node: Copy) -> list[tuple[int, int, str, int]]:
    """(start, end, sign, index) of the node's `--from=N` written plainly (unquoted, on one
    physical line), offsets into `node.text`; `+1` keeps its sign, `-0` (index 0) loses it."""
    refs = []
    for flag in node.flags:
        value = flag.value or ""
        found = _INDEX.fullmatch(value)
        if flag.name == "from" and found is not None and flag.word.raw == f"--from={value}":
            end = flag.word.span.end - node.start
            start = end - len(value)
            index = int(value)
            if node.text[start:end] == value and index >= 0:
                refs.append((start, end, "+" if found.group(1) == "+" else "", index))
    return refs
