"""Text -> lossless syntax tree: a cached Lark LALR parser over the scanner's tokens.

`parse` is the only entry point. Whatever the input, it returns a Dockerfile or raises
ParseError carrying diagnostics with spans; no other exception escapes.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
from lark import Lark, Transformer
from lark.exceptions import LarkError

from pyenvc.diagnostics import Diagnostic
from pyenvc.lexer import DockerfileLexer, NodeToken, ParseError
from pyenvc.source import Source
from pyenvc.syntax import Dockerfile, Instruction, Span

__all__ = ["ParseError", "parse", "grammar"]


class _ToSyntax(Transformer):
    """Builds syntax nodes from the tokens; the scanner already made each token's node."""

    def start(self, children: list[Any]) -> Dockerfile:
        bom = None
        directives = []
        body = []
        for child in children:
            if isinstance(child, NodeToken):
                if child.type == "BOM":
                    bom = child.node
                elif child.type == "DIRECTIVE":
                    directives.append(child.node)
                else:
                    body.append(child.node)
            else:
                body.append(child)
        escape = "\\"
        for directive in directives:
            if directive.name == "escape":
                escape = directive.value
        return Dockerfile(bom, tuple(directives), tuple(body), escape)

    def heredoc_instruction(self, children: list[NodeToken]) -> Instruction:
        return attrs.evolve(children[0].node, heredocs=tuple(child.node for child in children[1:]))


@functools.lru_cache(maxsize=None)
def grammar() -> Lark:
    """The Lark parser for grammar.lark, built once per process."""
    return Lark.open_from_package(
        "pyenvc",
        "grammar.lark",
        parser="lalr",
        lexer=DockerfileLexer,
        transformer=_ToSyntax(),
    )


def parse(text: str) -> Dockerfile:
    """Parse a Dockerfile's text (its bytes decoded as UTF-8 with errors="surrogateescape")."""
    if not isinstance(text, str):
        raise TypeError(f"parse() takes str, not {type(text).__name__}")
    try:
        return grammar().parse(text)
    except ParseError:
        raise
    except LarkError as problem:  # the scanner's tokens broke the grammar: a bug, but say where
        source = Source(text)
        position = getattr(problem, "pos_in_stream", None) or 0
        raise ParseError(
            [Diagnostic.at(source, Span(position, position), "DF001", f"unexpected input: {problem}")]
        ) from None
