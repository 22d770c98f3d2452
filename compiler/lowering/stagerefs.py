"""Numeric stage references (`COPY --from=N`, `ADD --from=N`, `RUN --mount=...,from=N`) kept
pointing at the stage they named when the stages layout inserts venv stages before some stages.

In: the lowered body, the number of the user's stages, and how many venv stages were inserted
before each. Out: the body with those references rewritten in place, every other byte kept.
"""

from __future__ import annotations

import re

import attrs

from pyenvc.syntax.tree import Instruction

_WORD = re.compile(r"[^ \t\r\n\v\f]+")
_FLAG_FROM = re.compile(r"--from=(\d+)\Z")
_MOUNT_FROM = re.compile(r"(?:^|,)from=(\d+)(?=,|\Z)", re.IGNORECASE)


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
        if not isinstance(node, Instruction) or node.command not in ("copy", "add", "run"):
            continue
        edits = []
        for start, end in _stage_refs(node):
            value = int(node.logical[start:end])
            if value >= stage_count:
                continue
            a = node.source_offset(start) - node.start
            b = node.source_offset(end - 1) + 1 - node.start
            assert node.text[a:b] == node.logical[start:end]
            edits.append((a, b, str(value + shift[value])))
        if edits and any(new != node.text[a:b] for a, b, new in edits):
            text = node.text
            for a, b, new in reversed(edits):
                text = text[:a] + new + text[b:]
            body[index] = attrs.evolve(node, text=text, joined=None)


def _stage_refs(node: Instruction) -> list[tuple[int, int]]:
    """The (start, end) offsets in `node.logical` of numeric stage references in its flags,
    written plainly (digits, unquoted, on one physical line)."""
    refs = []
    for word in list(_WORD.finditer(node.logical))[1:]:
        text = word.group()
        if not text.startswith("--"):
            break
        match = _FLAG_FROM.match(text) if node.command in ("copy", "add") else None
        if match:
            refs.append((word.start() + match.start(1), word.start() + match.end(1)))
        elif node.command == "run" and text.startswith("--mount="):
            offset = word.start() + len("--mount=")
            for m in _MOUNT_FROM.finditer(text[len("--mount=") :]):
                refs.append((offset + m.start(1), offset + m.end(1)))
    return [(a, b) for a, b in refs if node.source_offset(b - 1) - node.source_offset(a) == b - 1 - a]
