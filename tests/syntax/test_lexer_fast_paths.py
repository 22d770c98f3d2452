"""The scanner's shortcuts give exactly what BuildKit's full rules give.

The lexer reads the keyword and the JSON/flag shape off the first line where it can, and the
argument splitters skip their character walk for plain text. Each shortcut is checked here
against the full rule on generated text.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyenvc.docker import buildkit, words
from pyenvc.syntax import lexer
from pyenvc.docker import shell
from pyenvc.syntax.lines import join_lines

pieces = st.sampled_from(list(" \t-=[]\"'\\`#abc,\u00a0\r\x0b") + ["--", "--x", "é", "\udc85"])
texts = st.lists(pieces, max_size=30).map("".join)
escapes = st.sampled_from(["\\", "`"])


@settings(max_examples=500)
@given(texts, escapes)
def test_word_shortcut_matches_the_walk(text, escape):
    assert words.shell_words(text, escape) == words.walk_words(text, escape)


@settings(max_examples=500)
@given(texts, escapes)
def test_flag_shortcut_matches_the_walk(text, escape):
    assert words.builder_flags(text, escape) == words.walk_flags(text, escape)


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
    if not maybe_json and lexer._ARGUMENT_CHECKS.get(keyword.lower()) in (lexer._JSON_CHECK, lexer._HEREDOC_CHECK):
        # BuildKit reads no JSON here, so it cannot reject a non-string array either
        assert not buildkit.parse_instruction(joined, escape).json


argument_pieces = st.sampled_from(
    list(" \t=\"'\\`[],-#\r\u00a0\u2000") + ["--", "--x=1", "--f\\ g", "--f` g", "[1]", '["s"]', "a", "b=c", "<<", "<<-E", "$x", '"x y"', "'q'", '"s"', "1", "{}", "é", "\udc85", "\udca0"]
)
arguments = st.lists(argument_pieces, max_size=12).map("".join)
scanned_keywords = st.sampled_from(["ENV", "label", "CMD", "ENTRYPOINT", "SHELL", "VOLUME", "RUN", "COPY", "add", "FROM"])
separators = st.sampled_from([" ", "\t", "  "])
endings = st.sampled_from(["\n", "\r\n", "", " \\\n next\n", "`\n", "\\"])


@settings(max_examples=1500)
@given(scanned_keywords, separators, arguments, endings, escapes)
def test_statement_shortcut_agrees_with_buildkits_full_rules(keyword, separator, rest, ending, escape):
    text = keyword + separator + rest + ending
    match = lexer._statement_pattern(escape).match(text)
    trivia, node_text, read_keyword, plain, continued = match.groups()
    assert trivia is None and node_text == match.group()
    joined = join_lines(node_text, escape).text
    if read_keyword is not None:
        assert read_keyword == buildkit.split_command(joined, escape).keyword
    check = lexer._ARGUMENT_CHECKS.get(keyword.lower(), lexer._NO_CHECK)
    if read_keyword is None or check == lexer._NO_CHECK:
        return
    verdict = lexer._shortcut(check, node_text, match.end(3), plain is not None, continued is None, escape)
    if verdict != lexer._UNSURE:
        buildkit.check_instruction(joined, escape)  # must not raise
        reads_heredocs = "<<" in node_text and buildkit.can_contain_heredoc(buildkit.parse_instruction(joined, escape))
        assert (verdict == lexer._ACCEPTED_WITH_HEREDOCS) == reads_heredocs


@pytest.mark.parametrize(
    "line",
    [
        'ENV A=1 B="two words" C=\'x\' D=a\\ b\n',
        "ENV PATH /usr/local/bin:$PATH\n",
        "label org.example=1 name=x\r\n",
        'CMD ["python", "-m", "app"]\n',
        'ENTRYPOINT [ "tini", "--" ]\n',
        "RUN apt-get update\n",
        "COPY --chown=astro:astro . /app\n",
        "RUN --mount=type=cache,target=/root/.cache <<EOF\n",
        "COPY <<-EOT /build.sh\n",
    ],
)
def test_everyday_lines_are_vouched_for(line):
    """The shortcuts are not vacuous: the everyday forms skip BuildKit's full rules."""
    match = lexer._statement_pattern("\\").match(line)
    check = lexer._ARGUMENT_CHECKS[match.group(3).lower()]
    verdict = lexer._shortcut(check, line, match.end(3), match.group(4) is not None, match.group(5) is None, "\\")
    assert verdict == (lexer._ACCEPTED_WITH_HEREDOCS if "<<" in line else lexer._ACCEPTED)


shell_pieces = st.sampled_from(list(" \t\r\n\v<-'\"$\\`ab=\u00a0\u2000") + ["<<", "<<-", "3<<", "EOF", "${x}", "é"])


@settings(max_examples=800)
@given(st.lists(shell_pieces, max_size=20).map("".join), st.booleans(), st.booleans())
def test_shell_word_shortcut_matches_the_lexer(text, raw_quotes, raw_escapes):
    try:
        expected = shell._Lexer(text, raw_quotes, raw_escapes).stop_on("", raw_escapes)[1]
    except shell.ShellSyntaxError:
        expected = None
    try:
        got = shell.words(text, raw_quotes=raw_quotes, raw_escapes=raw_escapes)
    except shell.ShellSyntaxError:
        got = None
    assert got == expected
