"""Numeric stage references (`COPY --from=N`, `ADD --from=N`, `RUN --mount=...,from=N`) kept
pointing at the stage they named when the stages layout inserts venv stages before some stages.

In: the lowered body, the number of the user's stages, and how many venv stages were inserted
before each. Out: the body with those references rewritten in place, every other byte kept.
"""

from __future__ import annotations

import re

from pyenvc.syntax.tree import Copy, Instruction, Run

_INDEX = re.compile("[0-9]+")  # what Go's strconv.Atoi reads as a stage index


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
        if not isinstance(node, (Copy, Run)):  # an ONBUILD trigger is an Onbuild node
            continue
        edits = [(a, b, str(value + shift[value])) for a, b, value in _stage_refs(node) if value < stage_count]
        if edits and any(new != node.text[a:b] for a, b, new in edits):
            text = node.text
            for a, b, new in reversed(edits):
                text = text[:a] + new + text[b:]
            body[index] = node.with_text(text)


def _stage_refs(node: Instruction) -> list[tuple[int, int, int]]:
    """(start, end, index) of the numeric stage references among the node's flags that are
    written plainly (ASCII digits, unquoted, on one physical line), offsets into `node.text`."""
    refs = []
    if isinstance(node, Copy):
        for flag in node.flags:
            value = flag.value or ""
            if flag.name == "from" and _INDEX.fullmatch(value) and flag.word.raw == f"--from={value}":
                end = flag.word.span.end - node.start
                refs.append((end - len(value), end, value))
    else:
        for mount in node.mounts:
            for option in mount.options:
                if option.key.lower() == "from" and option.word is not None and _INDEX.fullmatch(option.value):
                    span = option.word.span
                    refs.append((span.start - node.start, span.end - node.start, option.value))
    return [(a, b, int(digits)) for a, b, digits in refs if node.text[a:b] == digits]
