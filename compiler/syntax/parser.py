"""Text -> lossless syntax tree: a cached Lark LALR parser over the scanner's tokens.

`parse` is the only entry point. Whatever the input, it returns a Dockerfile or raises
ParseError carrying diagnostics with spans; no other exception escapes.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import attrs
from lark import Lark, Transformer
from lark.exceptions import LarkError

from pyenvc.syntax import lexer
from pyenvc.diagnostics import Diagnostic
from pyenvc.syntax.lexer import DockerfileLexer, NodeToken, ParseError
from pyenvc.syntax import arguments, tree
from pyenvc.syntax.arguments import ToArguments
from pyenvc.syntax.source import Source
from pyenvc.syntax.tree import Dockerfile, Node, Span

__all__ = ["ParseError", "parse", "grammar"]


class _ToSyntax(Transformer):
    """Builds the tree from the tokens; the scanner already made each token's node."""

    def start(self, children: list[Any]) -> Dockerfile:
        bom = None
        directives = []
        body = []
        for child in children:
            if isinstance(child, list):  # statements
                body = child
            elif child.type == "BOM":
                bom = child.node
            elif child.type == "DIRECTIVE":
                directives.append(child.node)
            else:  # the comment and blank lines that end the file
                body.append(child.node)
        escape = "\\"
        for directive in directives:
            if directive.name == "escape":
                escape = directive.value
        return Dockerfile(bom, tuple(directives), tuple(body), escape)

    def statements(self, children: list[Any]) -> list[Node]:
        if not children:
            return []
        body, token = children
        if token.prefix is not None:
            body.append(token.prefix)
        body.append(token.node)
        return body

    def heredoc_instruction(self, children: list[NodeToken]) -> NodeToken:
        """The instruction's token, its node given the heredoc bodies."""
        instruction = children[0]
        node = attrs.evolve(instruction.node, heredocs=tuple(child.node for child in children[1:]))
        return NodeToken(instruction.type, node, instruction.prefix)


class _Rules(_ToSyntax, ToArguments):
    """Every rule of grammar.lark: the file's (`start`) and an instruction's (`arguments`)."""


def _cache_file() -> str | None:
    """A per-user file for Lark's analysed grammar (Lark checks a hash of the grammar, its
    options and its own version before it trusts the file). None where there is no place."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "pyenvc")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return os.path.join(folder, f"grammar-py{sys.version_info[0]}{sys.version_info[1]}.lark")


@functools.lru_cache(maxsize=None)
def grammar(cached: bool = True) -> Lark:
    """The Lark parser for grammar.lark, built once per process; its LALR tables are read
    from a cache file when one matches (building them costs ~20 ms of every start-up).
    `cached=False` builds them afresh and keeps the analysed grammar on the object, which
    tools that walk the grammar (Hypothesis' from_lark) need."""
    options = dict(parser="lalr", lexer=DockerfileLexer, transformer=_Rules(), start=["start", "arguments"])
    cache = _cache_file() if cached else None
    if cache is not None:
        try:
            return Lark.open_from_package("pyenvc", "grammar.lark", cache=cache, **options)
        except Exception:  # an unreadable or foreign cache file: build the tables instead
            pass
    return Lark.open_from_package("pyenvc", "grammar.lark", **options)


def parse(text: str) -> Dockerfile:
    """Parse a Dockerfile's text (its bytes decoded as UTF-8 with errors="surrogateescape")."""
    if not isinstance(text, str):
        raise TypeError(f"parse() takes str, not {type(text).__name__}")
    try:
        return grammar().parse(lexer.scan(text), start="start")
    except ParseError:
        raise
    except LarkError as problem:  # the scanner's tokens broke the grammar: a bug, but say where
        source = Source(text)
        position = getattr(problem, "pos_in_stream", None) or 0
        raise ParseError(
            [Diagnostic.at(source, Span(position, position), "DF010", f"internal parser error: {problem}",
                           "report this file to pyenvc's maintainers")]
        ) from None


tree.read_arguments_with(lambda node: arguments.read(node, grammar()))
