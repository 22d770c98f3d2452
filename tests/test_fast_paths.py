"""The scanner's shortcuts give exactly what BuildKit's full rules give.

The lexer reads the keyword and the JSON/flag shape off the first line where it can, and the
argument splitters skip their character walk for plain text. Each shortcut is checked here
against the full rule on generated text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pyenvc import buildkit, lexer
from pyenvc.lines import join_lines

pieces = st.sampled_from(list(" \t-=[]\"'\\`#abc,\u00a0\r\x0b") + ["--", "--x", "é", "\udc85"])
texts = st.lists(pieces, max_size=30).map("".join)
escapes = st.sampled_from(["\\", "`"])


@settings(max_examples=500)
@given(texts, escapes)
def test_word_shortcut_matches_the_walk(text, escape):
    assert buildkit.parse_words(text, escape) == buildkit._walk_words(text, escape)


@settings(max_examples=500)
@given(texts, escapes)
def test_flag_shortcut_matches_the_walk(text, escape):
    assert buildkit._extract_builder_flags(text, escape) == buildkit._walk_flags(text, escape)


keywords = st.sampled_from(["RUN", "COPY", "run", "ENV", "ONBUILD", "HEALTHCHECK", "R`", "\\", "VOLUME"])
first_lines = st.builds(lambda k, sep, rest: k + sep + rest, keywords, st.sampled_from(["", " ", "\t", " \u00a0"]), texts)
tails = st.sampled_from(["\n", "\\\n  x\n", "`\n[\"a\"]\n", "\\\n[1]\n"])


@settings(max_examples=800)
@given(first_lines, escapes, tails)
def test_keyword_and_json_shape_read_off_the_first_line(first, escape, tail):
    text = first + tail
    keyword, arguments = lexer._keyword(text, escape)
    if keyword is None:
        return
    maybe_json = lexer._maybe_json(text, arguments, escape)
    joined = join_lines(text, escape).text
    assert keyword == buildkit.split_command(joined, escape).keyword
    if not maybe_json and keyword.lower() in lexer._JSON_FORMS:
        # BuildKit reads no JSON here, so it cannot reject a non-string array either
        assert not buildkit.parse_instruction(joined, escape).json
