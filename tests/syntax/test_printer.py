"""The printer's line map: each line of the printed text to the source line its bytes came from,
lines counted as BuildKit counts them (only `\\n` ends one). A user's own node maps line by line
from where it starts; a generated node maps every line to the first line of its origin."""

from __future__ import annotations

import attrs
import pytest

import pyenvc
from pyenvc.syntax.printer import LineMap, emit_mapped
from pyenvc.source import Source
from pyenvc.syntax.tree import Bom, Dockerfile, Generated, Span


@pytest.mark.parametrize(
    "text, count",
    [
        ("FROM a\n\n", 2),
        ("FROM a\nRUN b", 2),  # no final newline: the last line counts all the same
        ("FROM a\r\nRUN b\r\n", 2),
        ("FROM a\nRUN b\rc\n", 2),  # a bare CR ends no line
        ("\ufeffFROM a\n", 1),  # the BOM opens line 1, it is not a line of its own
        ("# syntax=docker/dockerfile:1\n\n# c\nFROM a\nRUN <<EOF cat\nx\nEOF\nRUN b \\\n  # in\n  c\n", 10),
    ],
)
def test_a_parsed_tree_maps_each_line_to_itself(text, count) -> None:
    emitted, lines = emit_mapped(pyenvc.parse(text), Source(text))
    assert emitted == text
    assert lines.sources == tuple(range(1, count + 1))
    assert lines.generated == (False,) * count
    assert lines.source_line(0) is None and lines.source_line(count + 1) is None
    assert not lines.is_generated(count + 1)


def test_trees_with_no_instruction() -> None:
    # the parser makes none (DF001), but the printer takes any tree
    emitted, lines = emit_mapped(Dockerfile(None, (), (), "\\"), Source(""))
    assert (emitted, lines.sources, lines.generated) == ("", (), ())
    emitted, lines = emit_mapped(Dockerfile(Bom("\ufeff"), (), (), "\\"), Source("\ufeff"))
    assert (emitted, lines.sources, lines.generated) == ("\ufeff", (1,), (False,))


def _replace(text: str, keyword: str, new: str) -> tuple[str, LineMap]:
    """`text` printed with its instruction `keyword` replaced by a Generated `new` from it."""
    tree = pyenvc.parse(text)
    body = list(tree.body)
    index = next(i for i, n in enumerate(body) if getattr(n, "keyword", None) == keyword)
    node = body[index]
    body[index] = Generated(new, Span(node.start, node.end))
    return emit_mapped(attrs.evolve(tree, body=tuple(body)), Source(text))


def test_a_generated_node_maps_to_the_first_line_of_its_origin() -> None:
    text = "FROM a\nPYENV 3.11 v \\\n  r.txt\nRUN b \\\n  c\n"
    emitted, lines = _replace(text, "PYENV", "# gen\nUSER root\nRUN b \\\n  c\n")
    assert emitted == "FROM a\n# gen\nUSER root\nRUN b \\\n  c\nRUN b \\\n  c\n"
    assert lines.sources == (1, 2, 2, 2, 2, 4, 5)  # the user's RUN keeps lines 4 and 5
    assert lines.generated == (False, True, True, True, True, False, False)


def test_lines_after_a_removed_node_keep_their_own_numbers() -> None:
    text = "FROM a\nPYENV 3.11 v\n\n# c\nRUN b\n"
    emitted, lines = _replace(text, "PYENV", "")  # nothing generated: the node's lines are gone
    assert emitted == "FROM a\n\n# c\nRUN b\n"
    assert lines.sources == (1, 3, 4, 5)


def test_an_origin_elsewhere_in_the_source() -> None:
    # as the stages layout's venv stages: before a FROM, from a PYENV further down
    text = "FROM a\nRUN b\nPYENV 3.11 v\n"
    tree = pyenvc.parse(text)
    pyenv = tree.instructions()[-1]
    body = (Generated("FROM x AS v\nRUN v\n", Span(pyenv.start, pyenv.end)), *tree.body[:-1])
    emitted, lines = emit_mapped(attrs.evolve(tree, body=body), Source(text))
    assert emitted == "FROM x AS v\nRUN v\nFROM a\nRUN b\n"
    assert lines.sources == (3, 3, 1, 2)
    assert lines.generated == (True, True, False, False)


def test_a_line_left_open_keeps_its_first_owner() -> None:
    # the last node without a newline, then generated text: the line it opened stays the user's
    text = "FROM a\nPYENV 3.11 v"
    emitted, lines = _replace(text, "PYENV", "USER root\nRUN x")
    assert emitted == "FROM a\nUSER root\nRUN x"
    assert (lines.sources, lines.generated) == ((1, 2, 2), (False, True, True))
    tree = pyenvc.parse("FROM a")
    tree = attrs.evolve(tree, body=(*tree.body, Generated("\nRUN x\n", Span(0, 6))))
    emitted, lines = emit_mapped(tree, Source("FROM a"))
    assert emitted == "FROM a\nRUN x\n"
    assert (lines.sources, lines.generated) == ((1, 1), (False, True))
    # and a user's node that continues a line: its own lines start with its second
    text = "PYENV 3.11 v\nRUN b\nRUN c\n"
    emitted, lines = _replace(text, "PYENV", "RUN x")
    assert emitted == "RUN xRUN b\nRUN c\n"
    assert (lines.sources, lines.generated) == ((1, 3), (True, False))
