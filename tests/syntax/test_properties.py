"""Properties of the parser on generated text: it either parses and round-trips byte for byte,
or raises ParseError with a span inside the text. Nothing else ever escapes. Printed with its
line map, a parsed tree maps each line to itself.

Text comes from grammar.lark itself (Hypothesis' from_lark on the parser's own Lark object),
with strategies for the terminals the scanner produces, and from arbitrary characters.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import pyenvc
from pyenvc.syntax.lexer import scan
from pyenvc.syntax.parser import grammar
from test_arguments import ARGUMENT_TERMINALS
from pyenvc.syntax.printer import emit_mapped
from pyenvc.source import Source

KEYWORDS = ["FROM", "RUN", "run", "COPY", "ADD", "ENV", "LABEL", "ARG", "CMD", "ENTRYPOINT", "SHELL",
            "ONBUILD", "HEALTHCHECK", "USER", "WORKDIR", "VOLUME", "EXPOSE", "PYENV", "FOO", "\\"]
PIECES = [" ", "\t", "a", "b=c", "--from=x", "'q'", '"d q"', "[", "]", '"x"', ",", "<<EOF", "<<-E", "3<<'Q'",
          "\\", "`", "#", "$v", "\r", "\ufeff", "\x00", "\udcff", "é", "\u00a0", "=", "EOF"]
line_end = st.sampled_from(["\n", "\r\n", "\\\n", "`\n", " \\ \n"])
words = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
# comment and blank lines before an instruction are part of its token (its prefix)
prefix = st.lists(st.sampled_from(["# c\n", "\n", "  # x \\\n", "\t\n", "#\r\n"]), max_size=3).map("".join)
instruction = st.builds(
    lambda prefix, keyword, rest, end, more: f"{prefix}{keyword} {rest}{end}{more}",
    prefix,
    st.sampled_from(KEYWORDS),
    words,
    line_end,
    st.lists(st.one_of(words.map(lambda w: w + "\n"), st.just("  # inner\n"), st.just("\n")), max_size=3).map("".join),
)
pyenv = st.builds(lambda prefix, v, n, end: f"{prefix}PYENV {v} {n}{end}", prefix, st.sampled_from(["3.8", "3.12", "2.7", "x"]),
                  st.sampled_from(["venv", "a;b", "p-1", "venv <<EOF", "v <<-E", "v <<'Q'", "<<EOF v"]), line_end)
heredoc = st.builds(lambda body, end: body + end, words.map(lambda w: w + "\n"), st.sampled_from(["EOF\n", "E\n", "Q\n", "\tE\n"]))

EXPLICIT = {"INSTRUCTION": instruction, "PYENV": pyenv, "HEREDOC": heredoc}
# the argument rules' terminals are never reached from `start` (see test_arguments.py for text
# generated from them)
EXPLICIT.update({name: st.just("") for name in ARGUMENT_TERMINALS})


def check(text: str) -> None:
    try:
        tree = pyenvc.parse(text)
        assert grammar(cached=False).parse(scan(text), start="start") == tree  # the generating parser agrees
    except pyenvc.ParseError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.span is not None
            assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(text)
            position = Source(text).position(diagnostic.span.start)
            assert (diagnostic.line, diagnostic.column) == (position.line, position.column)
        return
    assert pyenvc.emit(tree) == text
    emitted, lines = emit_mapped(tree, Source(text))
    count = text.count("\n") + (not text.endswith("\n")) if text else 0  # BuildKit's lines
    assert emitted == text
    assert lines.sources == tuple(range(1, count + 1)) and not any(lines.generated)
    view = pyenvc.to_buildkit(tree)
    assert len(view["commands"]) == len(tree.instructions())
    for node in tree.instructions():  # the argument rules read every instruction that parses
        assert node.arguments.keyword is not None


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(from_lark(grammar(cached=False), start="start", explicit=EXPLICIT))
@example("FROM a\nRUN <<EOF\n")
@example("\ufeff# escape=`\nRUN a `\n")
@example("FROM a\nPYENV 3.12 v <<-E\n\tFROM b\n\tE\n")  # a PYENV's heredoc body is no instruction
def test_text_from_the_grammar_parses_and_round_trips(text):
    check(text)


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from(list("FROM RUN<>EOF\\`#\n\r\t\"'[],=-") + ["\ufeff", "\udc80", "é"]), max_size=80))
@example("\\")
@example("# escape=`\n# escape=`\n")
def test_arbitrary_text_parses_and_round_trips_or_raises_parse_error(text):
    check(text)


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_any_unicode_text(text):
    check(text)
