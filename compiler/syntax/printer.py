"""Tree -> text: concatenate what the nodes hold. No formatting decisions are made here."""

from __future__ import annotations

from pyenvc.syntax.tree import Dockerfile, Instruction


def emit(tree: Dockerfile) -> str:
    parts = []
    if tree.bom is not None:
        parts.append(tree.bom.text)
    parts.extend(directive.text for directive in tree.directives)
    for node in tree.body:
        parts.append(node.text)
        if isinstance(node, Instruction):
            parts.extend(heredoc.text for heredoc in node.heredocs)
    return "".join(parts)
