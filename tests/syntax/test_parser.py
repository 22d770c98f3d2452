"""The parser's traps, one test each: what BuildKit does, and that the bytes survive."""

from __future__ import annotations

import pytest

import pyenvc
from pyenvc.syntax.tree import From, Instruction, Pyenv, Run, Trivia


def commands(text: str) -> list[dict]:
    tree = pyenvc.parse(text)
    assert pyenvc.emit(tree) == text
    return pyenvc.to_buildkit(tree)["commands"]


def test_comment_lines_inside_a_continuation_are_dropped_from_the_logical_line():
    (run,) = commands("RUN echo a \\\n  # note\n  b\n")
    assert run["next"] == ["echo a   b"]
    assert (run["start_line"], run["end_line"]) == (1, 3)


def test_blank_continuation_lines_are_skipped_with_a_warning():
    tree = pyenvc.parse("FROM x\nRUN a \\\n\n  b\n")
    view = pyenvc.to_buildkit(tree)
    assert view["commands"][1]["next"] == ["a   b"]
    assert view["warnings"] == [{"short": "Empty continuation line found in: RUN a   b", "line": 4}]


def test_double_backslash_at_end_of_line_is_no_continuation_but_a_lone_backslash_is():
    assert [c["cmd"] for c in commands("RUN a \\\\\nRUN b\n")] == ["RUN", "RUN"]
    (run,) = commands("\\\nRUN b\n")
    assert run["next"] == ["b"] and run["start_line"] == 1


def test_backtick_escape_makes_backslash_literal():
    tree = pyenvc.parse("# escape=`\nRUN dir c:\\ \nRUN a `\n  b\n")
    assert tree.escape == "`"
    view = pyenvc.to_buildkit(tree)
    assert [c["next"] for c in view["commands"]] == [["dir c:\\"], ["a   b"]]


@pytest.mark.parametrize("before", ["\n", "# hello\n", "FROM x\n"])
def test_directive_after_blank_comment_or_instruction_is_a_comment(before):
    tree = pyenvc.parse(before + "# escape=`\nRUN a `\n")
    assert tree.escape == "\\" and tree.directives == ()


def test_indented_and_uppercase_directives_are_honoured():
    tree = pyenvc.parse("  # ESCAPE = `\nRUN a\n")
    assert tree.escape == "`" and tree.directives[0].name == "escape"


def test_heredoc_body_may_look_like_instructions_and_terminator_must_match_exactly():
    text = "FROM x\nRUN <<EOF\nFROM evil\n# not a comment\nEOF \nEOF\nRUN next\n"
    view = commands(text)
    assert [c["cmd"] for c in view] == ["FROM", "RUN", "RUN"]
    assert view[1]["heredocs"][0]["content"] == "FROM evil\n# not a comment\nEOF \n"


def test_chomp_strips_leading_tabs_only_from_the_terminator():
    (_, run) = commands("FROM x\nRUN <<-EOT\n\techo\n\tEOT\n")
    assert run["heredocs"][0] == {"name": "EOT", "file_descriptor": 0, "expand": True, "chomp": True, "content": "\techo\n"}


def test_several_heredocs_on_one_line_are_read_in_order_with_fds_and_quotes():
    text = "FROM x\nCOPY <<X 3<<'Y' /dest\nY\nX\nX\nY\n"
    (_, copy) = commands(text)
    assert [(h["name"], h["file_descriptor"], h["expand"], h["content"]) for h in copy["heredocs"]] == [
        ("X", 0, True, "Y\n"),
        ("Y", 3, False, "X\n"),
    ]


@pytest.mark.parametrize("line", ['RUN ["cat", "<<EOF"]', "CMD <<EOF", "RUN cat<<EOF"])
def test_no_heredoc_in_json_form_other_instructions_or_mid_word(line):
    view = commands(f"FROM x\n{line}\nEOF\n")
    assert all(not c["heredocs"] for c in view) and view[-1]["cmd"] == "EOF"


def test_heredoc_under_onbuild_consumes_its_body():
    view = commands("FROM x\nONBUILD RUN <<EOF\necho\nEOF\n")
    assert len(view) == 2 and view[1]["sub_cmd"] == "RUN" and view[1]["end_line"] == 4


def test_hash_after_an_instruction_is_an_argument_and_bad_json_falls_back_to_shell_form():
    view = commands('FROM x\nCMD ["a"] # c\nRUN ["a", \'b\']\nRUN ["a"]\n')
    assert [(c["json"], c["next"]) for c in view[1:]] == [
        (False, ['["a"] # c']),
        (False, ["[\"a\", 'b']"]),
        (True, ["a"]),
    ]


def test_bare_cr_is_not_a_line_break_and_crlf_is_kept():
    text = "FROM a\rRUN b\r\nRUN c\r\n"
    view = commands(text)
    assert [c["next"] for c in view] == [["a", "RUN", "b"], ["c"]]


def test_unknown_instructions_parse_and_keywords_keep_their_case():
    view = commands("from x AS y\nFoo bar\n")
    assert [(c["cmd"], c["dump"]) for c in view] == [("from", 'from "x" "AS" "y"'), ("Foo", 'foo ""')]


def test_bom_no_final_newline_and_continuation_at_eof_round_trip():
    text = "\ufeff# syntax=x\nFROM a\nRUN b \\"
    tree = pyenvc.parse(text)
    assert tree.bom is not None and tree.directives[0].value == "x"
    assert pyenvc.emit(tree) == text
    assert pyenvc.to_buildkit(tree)["commands"][1]["next"] == ["b"]


def test_invalid_utf8_bytes_survive():
    data = b"FROM a\nRUN echo \xff\xfe\n"
    text = data.decode("utf-8", "surrogateescape")
    assert pyenvc.emit(pyenvc.parse(text)).encode("utf-8", "surrogateescape") == data


def test_pyenv_is_a_node_of_its_own_with_continuations_and_comments():
    tree = pyenvc.parse("FROM a\npyenv 3.8 \\\n  # why\n  venv\n")
    node = tree.body[1]
    assert isinstance(node, Pyenv) and node.logical == "pyenv 3.8   venv"
    assert node.source_offset(node.logical.index("venv")) == tree.body[1].text.index("venv") + node.start


def test_trivia_between_instructions_is_one_node():
    tree = pyenvc.parse("FROM a\n# one\n\n# two\nRUN b\n")
    assert [type(n) for n in tree.body] == [From, Trivia, Run]


@pytest.mark.parametrize(
    ("text", "line", "column", "code"),
    [
        ("# escape=`\n# escape=\\\nFROM a\n", 2, 1, "DF003"),
        ("# escape=x\nFROM a\n", 1, 1, "DF004"),
        ("FROM a\n  RUN <<EOF\nbody\n", 2, 7, "DF002"),
        ("FROM a\nENV A\n", 2, 1, "DF006"),
        ("FROM a\nLABEL a=b c\n", 2, 1, "DF007"),
        ('FROM a\nCMD ["a", 1]\n', 2, 1, "DF008"),
        # an escaped space joins the flag's words, so the array after it is read as JSON
        ("FROM a\nRUN --a\\ b [1]\n", 2, 1, "DF008"),
        ("# escape=`\nFROM a\nCOPY --a` b [1]\n", 3, 1, "DF008"),
        ("FROM a\nLABEL a=b \\\n  c\n", 2, 1, "DF007"),
        ("\n# only a comment\n", 3, 1, "DF001"),
        ("FROM a\nRUN " + "x" * 70000 + "\n", 2, 1, "DF005"),
    ],
)
def test_rejections_carry_code_and_position(text, line, column, code):
    with pytest.raises(pyenvc.ParseError) as caught:
        pyenvc.parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == (code, line, column)


def test_line_length_limit_is_bufio_scanners():
    ok = "RUN " + "x" * (65535 - 5) + "\n"  # 65535 bytes with its newline
    pyenvc.parse("FROM a\n" + ok)
    with pytest.raises(pyenvc.ParseError):
        pyenvc.parse("FROM a\n" + "RUN " + "x" * (65536 - 4) + "\n")


def test_json_strings_decode_as_go_does():
    (_, cmd) = commands('FROM x\nCMD ["\\u00e9", "\\ud66d\\ude00", "\\ud83d\\ude00", "\\ud800"]\n')
    assert cmd["next"] == ["é", "\ud66d\ufffd", "\U0001f600", "\ufffd"]
    (_, cmd) = commands('FROM x\nCMD ["a\udcff"]\n')  # a byte that is not UTF-8
    assert cmd["next"] == ["a\ufffd"]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("RUN <<$EOF", ["$EOF"]),  # an unset variable stays as written
        ("RUN <<${EOF}", ["${EOF}"]),
        ("RUN <<E${box AS build", []),  # BuildKit cannot lex the line: no heredoc at all
        ('RUN <<EOF "unterminated', []),
        ("RUN <<'A B'", ["A B"]),
        ('RUN <<""', []),  # an empty quoted word is no word at all
        ('RUN <<"X"\'Y\'', ["XY"]),
    ],
)
def test_heredoc_delimiters_are_lexed_as_buildkits_shell_lexer_does(line, names):
    from pyenvc.docker import buildkit

    assert [spec.name for spec in buildkit.heredocs_in(line)] == names


def test_a_token_stream_the_grammar_rejects_is_a_parse_error_not_a_lark_exception(monkeypatch):
    from pyenvc.syntax import lexer
    from pyenvc.syntax.tree import Heredoc

    def broken(text):  # a heredoc body with no instruction before it: a scanner bug
        yield lexer.NodeToken("HEREDOC", Heredoc(text, 0, "EOF", 0, True, False, ""))

    monkeypatch.setattr(lexer, "scan", broken)
    with pytest.raises(pyenvc.ParseError) as caught:
        pyenvc.parse("x\n")
    assert caught.value.diagnostics[0].code == "DF010"
