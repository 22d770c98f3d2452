"""Every bad input in the spec's list: its code, line, column (1-based, in characters), the
caret under the right text, a hint, and no output."""

from __future__ import annotations

import os

import pytest

import pyenvc
from pyenvc.diagnostics import CODES, render_text
from pyenvc.diagnostics import _printable as printable
from pyenvc.source import Source

R = "FROM quay.io/astronomer/astro-runtime:12.1.0\n"

# (id, text, code, line, column, the text the caret must underline)
BAD = [
    ("before-from", "PYENV 3.11 a\nFROM x\n", "PYENV001", 1, 1, "PYENV"),
    ("before-from-after-arg", "ARG x\n  pyenv 3.11 a\nFROM x\n", "PYENV001", 2, 3, "pyenv"),
    ("onbuild", R + "ONBUILD PYENV 3.11 a\n", "PYENV002", 2, 9, "PYENV"),
    ("json-form", R + 'PYENV ["3.11", "a"]\n', "PYENV003", 2, 7, '["3.11",'),
    ("heredoc-and-path", R + "PYENV 3.11 a r.txt <<EOF\nx\nEOF\n", "PYENV026", 2, 20, "<<EOF"),
    ("heredoc-then-path", R + "PYENV 3.11 a <<EOF r.txt\nx\nEOF\n", "PYENV026", 2, 14, "<<EOF"),
    ("two-heredocs", R + "PYENV 3.11 a <<A <<B\nx\nA\ny\nB\n", "PYENV027", 2, 18, "<<B"),
    ("heredoc-before-name", R + "PYENV 3.11 <<EOF a\nx\nEOF\n", "PYENV028", 2, 12, "<<EOF"),
    ("heredoc-first", R + "PYENV <<EOF\nx\nEOF\n", "PYENV028", 2, 7, "<<EOF"),
    ("heredoc-no-delimiter", R + "PYENV 3.11 a <<\n", "PYENV029", 2, 14, "<<"),
    ("heredoc-descriptor", R + "PYENV 3.11 a 3<<EOF\nx\nEOF\n", "PYENV029", 2, 14, "3<<EOF"),
    ("variable", R + "PYENV 3.11 ${NAME}\n", "PYENV005", 2, 12, "${NAME}"),
    ("variable-in-reqs", R + "PYENV 3.11 a $REQS\n", "PYENV005", 2, 14, "$REQS"),
    ("variable-in-flag", R + "PYENV --python-image=$IMG 3.11 a\n", "PYENV005", 2, 7, "--python-image=$IMG"),
    ("no-args", R + "PYENV\n", "PYENV006", 2, 6, ""),
    ("one-arg", R + "PYENV 3.11\n", "PYENV006", 2, 11, ""),
    ("too-many", R + "PYENV 3.11 a r.txt extra\n", "PYENV007", 2, 20, "extra"),
    ("unknown-flag", R + "PYENV --pip=1 3.11 a\n", "PYENV008", 2, 7, "--pip=1"),
    # BuildKit would read the escape character in a COPY source; a byte that is not UTF-8 too
    ("escape-in-reqs", "# escape=`\n" + R + "PYENV 3.11 a r`x.txt\n", "PYENV022", 3, 14, "r`x.txt"),
    ("bare-dashes", R + "PYENV -- 3.11 a\n", "PYENV008", 2, 7, "--"),
    ("flag-no-value", R + "PYENV --installer 3.11 a\n", "PYENV009", 2, 7, "--installer"),
    ("flag-empty-value", R + "PYENV --python-image= 3.11 a\n", "PYENV009", 2, 7, "--python-image="),
    ("flag-bad-installer", R + "PYENV --installer=conda 3.11 a\n", "PYENV009", 2, 7, "--installer=conda"),
    ("flag-twice", R + "PYENV --installer=pip --installer=pip 3.11 a\n", "PYENV009", 2, 23, "--installer=pip"),
    ("flag-after-args", R + "PYENV 3.11 a --installer=pip\n", "PYENV009", 2, 14, "--installer=pip"),
    ("version-malformed", R + "PYENV 3.x a\n", "PYENV023", 2, 7, "3.x"),
    ("version-major-only", R + "PYENV 3 a\n", "PYENV023", 2, 7, "3"),
    ("version-empty-quotes", R + 'PYENV "" a\n', "PYENV023", 2, 7, '""'),
    ("version-fullwidth-digits", R + "PYENV \uff13.\uff11\uff12 a\n", "PYENV023", 2, 7, "\uff13.\uff11\uff12"),
    ("version-arabic-indic-digits", R + "PYENV 3.\u0661\u0662 a\n", "PYENV023", 2, 7, "3.\u0661\u0662"),
    ("version-leading-zero-minor", R + "PYENV 3.012 a\n", "PYENV023", 2, 7, "3.012"),
    ("version-leading-zero-major", R + "PYENV 03.12 a\n", "PYENV023", 2, 7, "03.12"),
    ("version-leading-zero-micro", R + "PYENV 3.12.04 a\n", "PYENV023", 2, 7, "3.12.04"),
    ("version-short-prerelease", R + "PYENV 3.14rc1 a\n", "PYENV023", 2, 7, "3.14rc1"),
    ("version-short-alpha", R + "PYENV 3.16a1 a\n", "PYENV023", 2, 7, "3.16a1"),
    ("version-prerelease-zero", R + "PYENV 3.14.0rc0 a\n", "PYENV023", 2, 7, "3.14.0rc0"),
    ("version-unknown-minor", R + "PYENV 3.111 a\n", "PYENV024", 2, 7, "3.111"),
    ("version-far-future", R + "PYENV 3.99 a\n", "PYENV024", 2, 7, "3.99"),
    ("version-two-past-newest", R + "PYENV 3.17.0 a\n", "PYENV024", 2, 7, "3.17.0"),
    ("version-four", R + "PYENV 4.0 a\n", "PYENV024", 2, 7, "4.0"),
    ("python2", R + "PYENV 2.7 a\n", "PYENV011", 2, 7, "2.7"),
    ("python2-patch", R + "PYENV 2.7.18 a\n", "PYENV011", 2, 7, "2.7.18"),
    ("no-image-for-flavour", R + "PYENV 3.6 a\n", "PYENV012", 2, 7, "3.6"),
    ("name-unanchored", R + "PYENV 3.11 a;b\n", "PYENV013", 2, 12, "a;b"),
    ("name-dot", R + "PYENV 3.11 my.venv\n", "PYENV013", 2, 12, "my.venv"),
    ("name-twice", R + "PYENV 3.11 a\nPYENV 3.12 a\n", "PYENV014", 3, 12, "a"),
    ("reqs-absolute", R + "PYENV 3.11 a /r.txt\n", "PYENV015", 2, 14, "/r.txt"),
    ("reqs-escapes", R + "PYENV 3.11 a ../r.txt\n", "PYENV016", 2, 14, "../r.txt"),
    ("reqs-escapes-inner", R + "PYENV 3.11 a x/../../r.txt\n", "PYENV016", 2, 14, "x/../../r.txt"),
    ("reqs-glob", R + "PYENV 3.11 a req*.txt\n", "PYENV017", 2, 14, "req*.txt"),
    ("reqs-class", R + "PYENV 3.11 a r[12].txt\n", "PYENV017", 2, 14, "r[12].txt"),
    ("reqs-quote", R + "PYENV 3.11 a 'r.txt'\n", "PYENV017", 2, 14, "'r.txt'"),
    ("reqs-trailing-slash", R + "PYENV 3.11 a r.txt/\n", "PYENV025", 2, 14, "r.txt/"),
    ("reqs-dot", R + "PYENV 3.11 a .\n", "PYENV025", 2, 14, "."),
    ("reqs-dir-dot", R + "PYENV 3.11 a reqs/.\n", "PYENV025", 2, 14, "reqs/."),
    ("reqs-up-to-context", R + "PYENV 3.11 a reqs/..\n", "PYENV025", 2, 14, "reqs/.."),
    ("onbuild-flag", R + "ONBUILD --foo PYENV 3.11 a\n", "PYENV002", 2, 15, "PYENV"),
    ("onbuild-flags-quoted", R + "ONBUILD --a=\"b c\" --d\tpyenv 3.11 a\n", "PYENV002", 2, 23, "pyenv"),
    ("onbuild-nested", R + "ONBUILD ONBUILD PYENV 3.11 a\n", "PYENV002", 2, 17, "PYENV"),
    ("onbuild-nested-flags", R + "ONBUILD --x ONBUILD --y=z pyenv 3.11 a\n", "PYENV002", 2, 27, "pyenv"),
    ("onbuild-flag-continued", R + "ONBUILD --foo=bar \\\n  # c\n  PyEnv 3.11 a\n", "PYENV002", 4, 3, "PyEnv"),
    ("same-xy-two-images", R + "PYENV 3.11 a\nPYENV 3.11.4 b\n", "PYENV020", 3, 7, "3.11.4"),
    # BuildKit's parser rejects these files
    ("unterminated-heredoc", R + "RUN <<EOF\nx\n", "DF002", 2, 5, None),
    ("second-escape", "# escape=`\n# escape=\\\nFROM x\n", "DF003", 2, None, None),
]


@pytest.mark.parametrize(("text", "code", "line", "column", "under"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input(text: str, code: str, line: int, column, under) -> None:
    result = pyenvc.compile(text)
    assert result.output is None
    errors = [d for d in result.diagnostics if d.is_error]
    assert errors, result.diagnostics
    first = errors[0]
    assert (first.code, first.line) == (code, line), errors
    if column is not None:
        assert first.column == column, errors
    assert first.hint, first
    # hints start with a verb; messages are lower-case unless they open with a keyword or a name
    assert first.hint[0].isalpha() and first.hint[0].islower(), first
    head = first.message.split()[0]
    assert first.message[0].islower() or head.isupper() or head in ("Python", "Astro"), first
    if under is not None:
        rendered = render_text(first, Source(text, "Dockerfile")).splitlines()
        assert rendered[0].startswith(f"Dockerfile:{line}:{first.column}: error[{code}]: ")
        source_line, caret = rendered[2], rendered[3]
        start = caret.index("^")
        width = caret.count("^")
        shown = source_line[start:start + width]
        assert shown == (under or shown[:1]), (shown, rendered)
        assert rendered[-1].startswith("help: ")


def test_every_bad_input_code_is_registered_and_tested() -> None:
    tested = {b[2] for b in BAD}
    pyenv_errors = {c for c in CODES if c.startswith("PYENV0") and not CODES[c].retired}
    # PYENV018, PYENV019 need a context: below; the requirements' kinds and contents:
    # tests/lowering/test_requirements.py
    kinds = {"PYENV030", "PYENV031", "PYENV032", "PYENV033", "PYENV034", "PYENV035"}
    assert pyenv_errors - {"PYENV018", "PYENV019"} - kinds <= tested


def test_all_errors_are_reported_not_just_the_first() -> None:
    text = R + "PYENV 2.7 a;b\nPYENV 3.11 c /abs\nONBUILD PYENV x\n"
    codes = [d.code for d in pyenvc.compile(text).diagnostics]
    assert codes == ["PYENV011", "PYENV013", "PYENV015", "PYENV002"]


def test_columns_count_characters_not_bytes() -> None:
    text = "FROM quay.io/astronomer/astro-runtime:12.1.0\nLABEL x=\"é\"\nPYENV 3.11 ümlaut\n"
    (d,) = pyenvc.compile(text).diagnostics
    assert (d.code, d.line, d.column) == ("PYENV013", 3, 12)
    text = "FROM x\nPYENV 3.11 é€ b\n"
    d = [d for d in pyenvc.compile(text).diagnostics if d.is_error][0]
    assert (d.code, d.line, d.column) == ("PYENV013", 2, 12)


def test_positions_inside_continuations_point_at_the_physical_line() -> None:
    text = R + "PYENV \\\n  # a comment\n  3.11 \\\n\n  bad;name\n"
    d = [d for d in pyenvc.compile(text).diagnostics if d.is_error][0]
    assert (d.code, d.line, d.column) == ("PYENV013", 6, 3)


def test_crlf_positions() -> None:
    text = R.replace("\n", "\r\n") + "PYENV 3.11 a;b\r\n"
    d = pyenvc.compile(text).diagnostics[0]
    assert (d.code, d.line, d.column) == ("PYENV013", 2, 12)


def test_requirements_missing_from_context(tmp_path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "a.txt").write_text("x\n")
    (tmp_path / "packages.txt").write_text("")
    (tmp_path / "requirements.txt").write_text("")
    text = R + "PYENV 3.11 a reqs/a.txt\nPYENV 3.11 b reqs/b.txt\nPYENV 3.11 c reqs\n"
    result = pyenvc.compile(text, context=str(tmp_path))
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [
        ("PYENV018", 3, 14),
        ("PYENV025", 4, 14),
    ]
    assert "no such file" in result.diagnostics[0].message
    assert "names a directory" in result.diagnostics[1].message


def test_requirements_naming_a_directory_in_the_context(tmp_path) -> None:
    """A path with no mark of a directory that is one in the context is PYENV025, unless
    .dockerignore leaves it out (then the build would not see it: PYENV018)."""
    (tmp_path / "r.txt").mkdir()
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "ignored").mkdir()
    (tmp_path / ".dockerignore").write_text("ignored\n")
    text = "FROM x\nPYENV 3.11 a r.txt\nPYENV 3.11 b deep/./er\nPYENV 3.11 c ignored\n"
    result = pyenvc.compile(text, context=str(tmp_path), uid=1, home="/h", user="u")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [
        ("PYENV025", 2, 14),
        ("PYENV025", 3, 14),
        ("PYENV018", 4, 14),
    ]
    assert result.output is None


def test_requirements_that_are_no_regular_file_of_the_context(tmp_path) -> None:
    """A FIFO, a socket, a link that leads nowhere and one out of the context are each named as
    such; a link to a file inside the context is followed, as BuildKit does."""
    import socket

    outside = tmp_path / "outside.txt"
    outside.write_text("x\n")
    context = tmp_path / "context"
    context.mkdir()
    (context / "real.txt").write_text("x\n")
    os.mkfifo(context / "fifo.txt")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(context / "sock.txt"))
        (context / "dangling.txt").symlink_to("nowhere.txt")
        (context / "out.txt").symlink_to(outside)
        (context / "in.txt").symlink_to("real.txt")
        names = ["fifo", "sock", "dangling", "out", "in"]
        text = "FROM x\n" + "".join(f"PYENV 3.11 {n} {n}.txt\n" for n in names)
        result = pyenvc.compile(text, context=str(context), uid=1, home="/h", user="u")
    found = {d.line: d.message for d in result.diagnostics}
    assert [d.code for d in result.diagnostics] == ["PYENV018"] * 4
    assert "it is a FIFO, not a regular file" in found[2]
    assert "it is a socket, not a regular file" in found[3]
    assert "a symbolic link that leads nowhere" in found[4]
    assert "a symbolic link that leads out of the build context" in found[5]
    assert 6 not in found


@pytest.mark.parametrize(
    ("ignore", "excluded"),
    [
        ("reqs\n", True),
        ("reqs/*.txt\n", True),
        ("**/a.txt\n", True),
        ("*.txt\n", False),  # `*` does not cross `/`
        ("reqs\n!reqs/a.txt\n", False),
        ("# reqs\n", False),
        ("/reqs/a.txt\n", True),
        ("  reqs/a.txt  \n", True),
        ("reqs/./a.txt\n", True),
        ("re?s\n", True),
        ("**\n!reqs/a.txt\n", False),
        ("reqs/a.tx[t]\n", True),
        ("!reqs/a.txt\nreqs\n", True),
    ],
)
def test_dockerignore_excludes_requirements(tmp_path, ignore: str, excluded: bool) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "a.txt").write_text("x\n")
    (tmp_path / ".dockerignore").write_text(ignore)
    text = "FROM x\nPYENV 3.11 a reqs/a.txt\n"
    result = pyenvc.compile(text, context=str(tmp_path), uid=1, home="/h", user="u")
    codes = [d.code for d in result.diagnostics]
    assert codes == (["PYENV018"] if excluded else []), (ignore, result.diagnostics)
    if excluded:
        assert "excludes it" in result.diagnostics[0].message


@pytest.mark.parametrize(
    ("ignore", "line"),
    [
        ("x\n[\n", 2),  # filepath.Match refuses it: every build fails
        ("!\n", 1),
        ("reqs\n![z-a]\n", 2),  # Go's regexp refuses it when the walk first tests it
    ],
)
def test_a_dockerignore_docker_refuses_is_reported_with_its_line(tmp_path, ignore: str, line: int) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "a.txt").write_text("x\n")
    (tmp_path / ".dockerignore").write_text(ignore)
    result = pyenvc.compile("FROM x\nPYENV 3.11 a reqs/a.txt\n", context=str(tmp_path), uid=1, home="/h", user="u")
    assert [d.code for d in result.diagnostics] == ["PYENV018"]
    assert f".dockerignore line {line} (" in result.diagnostics[0].message
    assert result.output is None


def test_dockerfile_specific_ignore_file_wins(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    (tmp_path / ".dockerignore").write_text("a.txt\n")
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM x\nPYENV 3.11 a a.txt\n"
    dockerfile.write_text(text)
    assert pyenvc.compile(text, path=str(dockerfile), context=str(tmp_path), uid=1, home="/h").output is None
    (tmp_path / "Dockerfile.dockerignore").write_text("other\n")
    assert pyenvc.compile(text, path=str(dockerfile), context=str(tmp_path), uid=1, home="/h").output


@pytest.mark.parametrize(
    "text",
    [
        "FROM\n",  # only BuildKit's later stages reject an empty FROM
        "",
        "# just a comment\n",
    ],
)
def test_what_only_later_stages_reject_compiles_to_itself(text: str) -> None:
    result = pyenvc.compile(text)
    if result.output is not None:
        assert result.output == text
    else:  # an empty file is the parser's DF001
        assert [d.code for d in result.diagnostics] == ["DF001"]


def test_warnings_do_not_stop_output() -> None:
    result = pyenvc.compile("FROM debian\nPYENV 3.11 a\n")
    assert [d.code for d in result.diagnostics] == ["PYENV102"]
    assert result.diagnostics[0].severity == "warning"
    assert result.output is not None


def test_option_values_are_the_callers_mistake() -> None:
    with pytest.raises(ValueError, match="unknown layout"):
        pyenvc.compile("FROM x\n", layout="nested")
    with pytest.raises(ValueError, match="unknown installer"):
        pyenvc.compile("FROM x\n", installer="poetry")
    with pytest.raises(ValueError, match="invalid uv image"):
        pyenvc.compile("FROM x\n", uv_image="a b")
    with pytest.raises(ValueError):
        pyenvc.compile("FROM x\n", home="relative")
    with pytest.raises(ValueError):
        pyenvc.compile("FROM x\n", uid=-1)


def test_severities_match_the_registry() -> None:
    from pyenvc.diagnostics import severity_of

    texts = [b[1] for b in BAD] + ["FROM debian\nPYENV 3.8 a\n", "ARG v=12.1.0\nFROM quay.io/astronomer/astro-runtime:${v}\nPYENV 3.11 a\n"]
    seen = set()
    for text in texts:
        for d in pyenvc.compile(text).diagnostics:
            assert d.severity == severity_of(d.code), d
            seen.add(d.code)
    assert {"PYENV101", "PYENV102", "PYENV103"} <= seen


def test_bytes_that_are_not_utf8_are_shown_as_escapes_in_the_text_rendering():
    from pyenvc.diagnostics import render_text
    from pyenvc.source import Source

    text = b"FROM x\nPYENV 3.11 \xff\n".decode("utf-8", "surrogateescape")
    result = pyenvc.compile(text, layout="inline")
    rendered = render_text(result.diagnostics[0], Source(text))
    assert "'\\xff'" in rendered and "2 | PYENV 3.11 \\xff" in rendered


@pytest.mark.parametrize("odd", ["\x1b[31m", "\x1b]0;title\x07", "\x00", "\x08", "\x9b2J", "\udcff\udcfe", "\ud800"])
def test_control_characters_never_reach_the_terminal_and_the_caret_stays_under_the_word(odd: str) -> None:
    """An escape sequence in a Dockerfile (or a file name) must not drive the terminal the
    diagnostics are printed on: the message, the excerpt, the hint and the path show it escaped,
    and the caret counts the escapes as printed."""
    text = f"FROM x\nRUN{odd}N a\nPYENV 3.11 a{odd}b\n"
    result = pyenvc.compile(text, user="u", uid=1, home="/h")
    assert [d.code for d in result.diagnostics] == ["DF012", "PYENV013"]
    for d in result.diagnostics:
        rendered = render_text(d, Source(text, f"Docker{odd}file"))
        assert not any(ord(c) < 0x20 and c != "\n" or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
                       for c in rendered), repr(rendered)
        lines = rendered.splitlines()
        excerpt, caret = lines[2], lines[3]
        under = excerpt[caret.index("^"):caret.index("^") + caret.count("^")]
        word = {"DF012": "RUN{}N", "PYENV013": "a{}b"}[d.code]
        assert under == word.format(printable(odd)) and "\\" in under, (excerpt, caret)


def test_a_byte_that_is_not_utf8_never_reaches_a_generated_line() -> None:
    (d,) = [d for d in pyenvc.compile(R + "PYENV 3.11 a r\udcffx.txt\n").diagnostics if d.is_error]
    assert (d.code, d.line, d.column) == ("PYENV022", 2, 14)


@pytest.mark.parametrize(("text", "code", "line", "column", "under"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_utf8_bom_moves_no_diagnostic(text: str, code: str, line: int, column, under) -> None:
    """A UTF-8 byte order mark is no column of line 1: every diagnostic is where it was."""

    def found(t: str) -> list:
        return [(d.code, d.line, d.column) for d in pyenvc.compile(t).diagnostics]

    assert found("\ufeff" + text) == found(text)
    if line == 1:
        first = [d for d in pyenvc.compile("\ufeff" + text).diagnostics if d.code == code][0]
        assert first.column == column or column is None
