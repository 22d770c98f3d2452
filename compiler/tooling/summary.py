"""The whole-file summaries that dockerfile-parse's users know (`structure`, `json`,
`parent_images`, `baseimage`, `is_multistage`, `cmd`, `labels`, `envs`, `args`,
`context_structure`), computed from the typed tree as BuildKit reads the file.

In: a `Document`. Out: the same shapes dockerfile-parse gives, so code written against it moves
over by renaming; where dockerfile-parse reads a file differently from Docker, these follow
Docker (the README's "Tooling" section lists the differences).
"""

from __future__ import annotations

import json as json_module
from typing import Any, Optional

from pyenvc.syntax.lines import trim_newline
from pyenvc.syntax.tree import Directive, Instruction, Trivia

# `doc` parameters are document.Document, which imports this module: named, not imported.

__all__ = ["cmd", "json", "parent_images", "structure", "value_of"]


def _comment_value(line: str) -> str:
    return trim_newline(line).lstrip(" \t")[1:].lstrip(" \t")


def _entry(instruction: str, startline: int, endline: int, content: str, value: str) -> dict[str, Any]:
    return {"instruction": instruction, "startline": startline, "endline": endline, "content": content, "value": value}


def structure(doc: "Document") -> list[dict[str, Any]]:
    """One dict per instruction and per comment line, in dockerfile-parse's shape: `instruction`
    (upper case, or COMMENT), `startline` and `endline` (0-based), `content` (the lines as
    written) and `value` (BuildKit's logical line after the keyword; a comment's text)."""
    found: list[dict[str, Any]] = []
    tree = doc.tree
    line = 0
    nodes: list = [*tree.directives, *tree.body]
    for node in nodes:
        text = node.text
        if isinstance(node, (Directive, Trivia)):
            for physical in text.splitlines(keepends=True):
                if physical.lstrip(" \t").startswith("#"):
                    found.append(_entry("COMMENT", line, line, physical, _comment_value(physical)))
                line += 1
            continue
        if not isinstance(node, Instruction):  # lowered text is not a tooling input
            continue
        lines = text.splitlines(keepends=True)
        first = line
        for offset, physical in enumerate(lines[1:], 1):  # comment lines inside the continuation
            if physical.lstrip(" \t").startswith("#"):
                found.append(_entry("COMMENT", first + offset, first + offset, physical, _comment_value(physical)))
        content = "".join(p for p in lines if not p.lstrip(" \t").startswith("#") or p is lines[0])
        line += len(lines)
        for heredoc in node.heredocs:  # BuildKit's end line is the heredoc's terminator
            content += heredoc.text
            line += len(heredoc.text.splitlines())
        found.append(_entry(node.keyword.upper(), first, line - 1, content, value_of(node)))
    return found


def value_of(node: Instruction) -> str:
    """An instruction's arguments as one string: BuildKit's logical line after the keyword."""
    logical = node.logical
    return logical[len(node.keyword):].lstrip(" \t")


def json(doc: "Document") -> str:
    """dockerfile-parse's `json`: `[{"INSTRUCTION": "value"}, ...]`."""
    return json_module.dumps([{entry["instruction"]: entry["value"]} for entry in structure(doc)])


def parent_images(doc: "Document") -> list[str]:
    """The image of each stage's FROM, global ARGs expanded where their values are known (as
    written where not); a FROM that names an earlier stage gives that name."""
    return [stage.resolved if stage.resolved is not None else stage.base.value for stage in doc.stages if stage.base is not None]


def cmd(doc: "Document") -> Optional[Instruction]:
    """The last CMD of the final stage, or None (a CMD of an earlier stage is not the image's)."""
    if not doc.stages:
        return None
    found = None
    for node in doc.stages[-1].instructions:
        if node.command == "cmd":
            found = node
    return found
