"""The one emitter of generated instructions: what it writes, BuildKit reads back as meant.

For any PYENV words and option values the compiler accepts, every generated instruction, parsed
by BuildKit's own Go parser (the `dockerfile` binding) and by `to_buildkit`, has exactly the
flags and words the lowering built; and values that would not survive are refused.
"""

from __future__ import annotations

import dockerfile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyenvc
from pyenvc.lowering import lower as lowering
from pyenvc.syntax import emitter
from pyenvc.syntax.emitter import NewInstruction, Unrepresentable, Verbatim, heredoc_delimiter, render


def _meant(node: NewInstruction) -> tuple[list[str], list[str]]:
    """The flags and words BuildKit should read from the node's line."""
    flags = []
    for flag in node.flags:
        if isinstance(flag, emitter.Verbatim):
            flags.append(flag.value)
        elif flag[1] is None:
            flags.append(f"--{flag[0]}")
        elif isinstance(flag[1], tuple):
            flags.append(f"--{flag[0]}=" + ",".join(f"{k}={v}" for k, v in flag[1]))
        else:
            flags.append(f"--{flag[0]}={flag[1]}")
    if node.argv is not None:
        return flags, list(node.argv)
    words = [w.value if isinstance(w, emitter.Verbatim) else w for w in node.words]
    if node.keyword == "ENV":
        return flags, [part for word in words for part in word.split("=", 1)]
    return flags, words


def _check(line: str, node: NewInstruction, escape: str) -> None:
    prefix = "# escape=`\n" if escape == "`" else ""
    (command,) = dockerfile.parse_string(prefix + line + "\n")
    flags, words = _meant(node)
    assert list(command.flags) == flags, line
    assert list(command.value) == words, line
    (view,) = pyenvc.to_buildkit(pyenvc.parse(prefix + line + "\n"))["commands"]
    assert view["flags"] == flags, line
    if node.keyword != "ENV":  # to_buildkit keeps ENV's separators, the binding does not
        assert view["next"] == words, line


plain = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
# anything a user could type, white space of every kind and shell syntax included
hostile = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), min_size=1, max_size=12)
homes = st.one_of(plain.map(lambda p: "/" + p), st.builds(lambda a, b: f"/{a}{b}", plain, hostile))
requirements = st.one_of(plain.map(lambda p: p + ".txt"), st.builds(lambda a, b: a + b, plain, hostile))
images = st.one_of(st.just("python:3.12-slim-bookworm"), st.builds(lambda t: f"python:{t}", hostile))


@settings(max_examples=300, deadline=None)
@given(
    escape=st.sampled_from(["\\", "`"]),
    home=homes,
    reqs=requirements,
    image=images,
    installer=st.sampled_from(["pip", "uv"]),
    layout=st.sampled_from(["inline", "stages"]),
)
def test_every_generated_line_reads_back_as_meant(escape, home, reqs, image, installer, layout) -> None:
    rendered: list[tuple[str, NewInstruction, str]] = []

    def recording(node: NewInstruction, esc: str = "\\", eol: str = "\n") -> str:
        line = render(node, esc, eol)
        rendered.append((line, node, esc))
        return line

    directive = "# escape=`\n" if escape == "`" else ""
    text = f"{directive}FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV --python-image={image} 3.12 etl {reqs}\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lowering, "render", recording)
        try:
            result = pyenvc.compile(text, home=home, installer=installer, layout=layout)
        except ValueError:
            return  # an option value the command line refuses with exit 2
    if result.output is None:
        assert any(d.is_error for d in result.diagnostics)
        return
    output_lines = result.output.split("\n")
    assert rendered
    for line, node, esc in rendered:
        assert line in output_lines
        _check(line, node, esc)


@pytest.mark.parametrize(
    "node",
    [
        NewInstruction("COPY", (), ("a b", "/d")),  # a space splits the word
        NewInstruction("COPY", (), ("a\u00a0b", "/d")),  # so does U+00A0, as Go reads it
        NewInstruction("COPY", (), ("a\u0085b", "/d")),
        NewInstruction("COPY", (), ("$HOME", "/d")),  # expanded at build time
        NewInstruction("COPY", (), ('"a"', "/d")),
        NewInstruction("COPY", (), ("--from=x", "/d")),  # read as a flag
        NewInstruction("COPY", (), ("<<EOF", "/d")),  # read as a heredoc
        NewInstruction("COPY", (("from", "a b"),), ("x", "/d")),
        NewInstruction("RUN", (("mount", (("type", "cache"), ("target", "/h,from=evil,source=/"))),), argv=("true",)),
        NewInstruction("RUN", argv=("a\x00b",)),
        NewInstruction("RUN", argv=("\udcff",)),  # Go would read U+FFFD
        NewInstruction("USER", (), ("a\\b",)),  # the escape character
        NewInstruction("COPY", (), ("x" * 70000, "/d")),  # over BuildKit's line limit
    ],
)
def test_values_that_would_not_survive_are_refused(node) -> None:
    with pytest.raises(Unrepresentable):
        render(node)


def test_a_backtick_is_refused_only_where_it_is_the_escape() -> None:
    node = NewInstruction("COPY", (), ("a`b", "/d"))
    assert render(node, "\\") == "COPY a`b /d"
    with pytest.raises(Unrepresentable):
        render(node, "`")


def test_shell_scripts_quote_every_value() -> None:
    """A home that is shell syntax stays one argument of the script (the old frontend ran it)."""
    from pyenvc.lowering import generate

    (node,) = generate.venv_dirs("/h`touch /pwned`", "etl", 50000)
    script = node.argv[2]
    assert "'/h`touch /pwned`'" in script and " /h`touch" not in script


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(st.sampled_from(["six==1.16.0", "EOF", "EOF_1", "\tEOF", "FROM x", "a \\", "$HOME", "  # c", ""]),
                  max_size=5),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_a_copy_heredoc_reads_back_with_its_body_unexpanded(body, eol) -> None:
    """The inline requirements' COPY: BuildKit's reading of the rendered text has one heredoc,
    not expanded, whose content is the body exactly, whatever lines it holds."""
    content = "".join(line + eol for line in body)
    delimiter = heredoc_delimiter(content)
    marker = Verbatim(f"<<'{delimiter}'", f"<<'{delimiter}'")
    node = NewInstruction("COPY", (("chown", "1000:0"),), (marker, "/r.txt"), heredoc=(delimiter, content))
    text = "FROM x" + eol + render(node, "\\", eol) + eol
    copy = pyenvc.parse(text).instructions()[1]
    assert [(h.name, h.expand, h.content) for h in copy.heredocs] == [(delimiter, False, content)]
    assert pyenvc.emit(pyenvc.parse(text)) == text


def test_a_copy_heredoc_refuses_a_body_that_would_end_it_early() -> None:
    node = NewInstruction("COPY", (), (Verbatim("<<'EOF'", "<<'EOF'"), "/r.txt"), heredoc=("EOF", "a\nEOF\nb\n"))
    with pytest.raises(Unrepresentable, match="delimiter"):
        render(node)
    node = node._replace(heredoc=("EOF", "a"))
    with pytest.raises(Unrepresentable, match="line ending"):
        render(node)
