"""Properties of compile over the real corpus (inline layout), and of the command over any input.

1. Every corpus file without PYENV compiles to itself, byte for byte.
   (PYENVs inserted below name a requirements file or carry a heredoc, whose body lines are
   never taken for instructions.)
2. With PYENV lines inserted at random valid points of a corpus file, Docker's view
   (`to_buildkit`) of every instruction that is not a PYENV is unchanged and in order, once the
   generated instructions are set aside (Astro Runtime FROM lines aside: none in the corpus).
3. With PYENV lines inserted (and, drawn, an Astro Runtime stage appended), in both layouts, the
   line map `compile` returns holds: each line of the user's that the output keeps maps to exactly
   that line, each once and in order; each generated line maps to the first line of a PYENV or
   of the rewritten FROM.
4. No input makes the command print a traceback.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import pyenvc
from support import run_cli
from pyenvc.lowering.lower import Options, lower
from pyenvc.source import Source
from pyenvc.syntax.tree import Generated, Instruction, Pyenv

OPTIONS = {"user": "app", "uid": 1000, "home": "/home/app", "layout": "inline"}  # stages: test_layouts.py
VIEW_KEYS = ("cmd", "sub_cmd", "json", "original", "flags", "next", "heredocs", "dump")


def test_corpus_without_pyenv_compiles_to_itself(corpus) -> None:
    compiled = unknown = 0
    for file in corpus:
        result = pyenvc.compile(file.text)
        if not file.accepted:
            assert result.output is None and result.diagnostics, file
            continue
        if file.unknown_instruction_lines:  # BuildKit's build rejects them: DF012 at each, and only there
            assert result.output is None, file
            assert [(d.code, d.line) for d in result.diagnostics] == [
                ("DF012", line) for line in file.unknown_instruction_lines
            ], file
            unknown += 1
            continue
        assert result.output is not None, (file, result.diagnostics)
        assert result.output.encode("utf-8", "surrogateescape") == file.data, file
        lines = result.line_map  # each line its own
        assert lines.sources == tuple(range(1, len(lines.sources) + 1)) and not any(lines.generated), file
        assert len(lines.sources) == file.text.count("\n") + (not file.text.endswith("\n")), file
        assert result.diagnostics == [], file
        compiled += 1
    assert compiled > 800 and unknown >= 10


def _view(text: str, skip_lines: set[int]) -> list[dict]:
    view = pyenvc.to_buildkit(pyenvc.parse(text))
    return [
        {k: c.get(k) for k in VIEW_KEYS}
        for c in view["commands"]
        if c["start_line"] not in skip_lines and c["cmd"].lower() != "pyenv"
    ]


def _generated_lines(lowered, output: str) -> set[int]:
    source = Source(output)
    offset = len(lowered.bom.text) if lowered.bom else 0
    offset += sum(len(d.text) for d in lowered.directives)
    lines: set[int] = set()
    for node in lowered.body:
        size = len(node.text) + (sum(len(h.text) for h in node.heredocs) if isinstance(node, Instruction) else 0)
        if isinstance(node, Generated):
            first = source.position(offset).line
            last = source.position(offset + max(size - 1, 0)).line
            lines.update(range(first, last + 1))
        offset += size
    return lines


def _insertion_points(tree) -> list[int]:
    """Offsets where a whole line may go: before any body node after the first FROM."""
    points = []
    seen_from = False
    for node in tree.body:
        if seen_from:
            points.append(node.start)
        if isinstance(node, Instruction) and node.command == "from":
            seen_from = True
    return points


# lines of a PYENV heredoc: requirements, and lines that outside it would be instructions
BODY_LINES = ["six==1.16.0", "FROM scratch", "RUN echo x \\", "  # c", "", "pyenv 3.12 x", "EOF2", "\tE2"]


def insert_pyenvs(data, file, versions: list[str], installers: tuple[str, ...] = ("",)) -> str:
    """The file's text with one to four PYENV lines (drawn versions and installer flags) at drawn
    whole-line points after its first FROM, in its own line ending; each names a requirements
    file or has them inline, in a heredoc (`<<EOF`, `<<-'E'`)."""
    tree = pyenvc.parse(file.text)
    points = _insertion_points(tree)
    # the end of the file, unless its last line continues (a line added there would join it)
    try:
        if isinstance(pyenvc.parse(file.text + "\nPYENV 3.8 v\n").instructions()[-1], Pyenv):
            points.append(len(file.text))
    except pyenvc.ParseError:  # it joins an ENV that then has a word without `=`
        pass
    assume(points)
    chosen = sorted(set(data.draw(st.lists(st.sampled_from(points), min_size=1, max_size=4), label="at")))
    eol = "\r\n" if "\r\n" in file.text else "\n"
    text = file.text
    for n, at in enumerate(reversed(chosen)):
        version = data.draw(st.sampled_from(versions), label="version")
        installer = data.draw(st.sampled_from(installers), label="installer")
        body = data.draw(st.lists(st.sampled_from(BODY_LINES), max_size=3), label="heredoc body")
        requirements = data.draw(st.sampled_from([f"req{n}.txt", "<<EOF", "<<-'E'"]), label="requirements")
        line = f"PYENV {installer}{version} v{n} {requirements}{eol}"
        if requirements.startswith("<<"):  # inline: body lines that would be instructions elsewhere
            tab = "\t" if "-" in requirements else ""
            line += "".join(f"{tab}{body_line}{eol}" for body_line in body) + ("\tE" if tab else "EOF") + eol
        if at == len(text) and text and not text.endswith("\n"):
            line = eol + line
        text = text[:at] + line + text[at:]
    return text


_WITH_FROM: list = []


def _with_from(corpus) -> list:
    """The corpus files Docker builds (no unknown instruction) that have a FROM (parsed once
    per session)."""
    if not _WITH_FROM:
        _WITH_FROM.extend(
            f for f in corpus
            if f.builds and any(i.command == "from" for i in pyenvc.parse(f.text).instructions())
        )
    return _WITH_FROM


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_pyenv_insertion_keeps_dockers_view_of_everything_else(corpus, data) -> None:
    files = _with_from(corpus)
    file = data.draw(st.sampled_from(files), label="file")
    text = insert_pyenvs(data, file, ["3.8", "3.11", "3.12.4", "3.13"])
    result = pyenvc.compile(text, **OPTIONS)
    assert result.output is not None, result.diagnostics
    lowered, _ = lower(pyenvc.parse(text), Source(text), Options(**OPTIONS))
    body = lowered.body[1:]  # after the generated-file comment, node for node
    assert isinstance(lowered.body[0], Generated) and lowered.body[0].text.startswith("# Generated by pyenvc from ")
    replaced = {
        i for i, (before, after) in enumerate(zip(pyenvc.parse(text).body, body))
        if isinstance(after, Generated) and isinstance(before, Instruction) and before.command != "pyenv"
    }
    assert not replaced  # no Astro Runtime FROM in the corpus: nothing but PYENV is replaced
    before = _view(text, set())
    after = _view(result.output, _generated_lines(lowered, result.output))
    assert after == before
    assert pyenvc.compile(result.output, **OPTIONS).output == result.output


_STAGE_REF = re.compile(r"(?<![0-9A-Za-z_])(from=)[0-9]+", re.IGNORECASE)  # renumbered by stages
# heads the lines that replaced the PYENV on line N, and the venv stage of that PYENV
_HEAD = re.compile(r"# PYENV line ([0-9]+)(?:\r?\Z|: )")


def _with_astro_stage(text: str, continued: bool) -> str:
    """The text with an Astro Runtime stage with a PYENV after it (each over two lines when
    `continued`); unchanged for a file whose end would swallow that stage (a continuation or an
    unterminated heredoc at the end)."""
    eol = "\r\n" if "\r\n" in text else "\n"
    cut = f" {pyenvc.parse(text).escape}{eol}  " if continued else " "
    more = f"FROM{cut}quay.io/astronomer/astro-runtime:12.1.0{eol}PYENV 3.11{cut}a{eol}"
    more = ("" if text.endswith("\n") else eol) + more
    try:
        grown = len(pyenvc.parse(text + more).instructions()) - len(pyenvc.parse(text).instructions())
    except pyenvc.ParseError:
        return text
    return text + more if grown == 2 else text


def _pyenvs_stand_alone(text: str) -> bool:
    """Whether each inserted PYENV line is a PYENV instruction of its own: not when inserted at
    the end of a file that ends in a continuation, which then swallows it."""
    try:
        tree = pyenvc.parse(text)
    except pyenvc.ParseError:
        return False
    source = Source(text)
    pyenvs = {source.position(node.start).line for node in tree.instructions() if node.command == "pyenv"}
    inserted = {n for n, line in enumerate(text.split("\n"), 1) if line.startswith("PYENV ")}
    return inserted <= pyenvs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_line_map_names_each_lines_own_source_line(corpus, data) -> None:
    file = data.draw(st.sampled_from(_with_from(corpus)), label="file")
    text = insert_pyenvs(data, file, ["3.8", "3.11", "3.12.4"])
    assume(_pyenvs_stand_alone(text))
    astro = data.draw(st.sampled_from(["", "one line", "continued"]), label="astro stage")
    if astro:  # its FROM rewritten to -base, packages.txt after it
        text = _with_astro_stage(text, astro == "continued")
    layout = data.draw(st.sampled_from(["inline", "stages"]), label="layout")
    result = pyenvc.compile(text, **dict(OPTIONS, layout=layout))
    assert result.output is not None and result.line_map is not None, result.diagnostics
    lines = result.line_map
    source = Source(text)
    output = result.output.split("\n")
    if result.output.endswith("\n"):
        output.pop()
    assert len(lines.sources) == len(output)  # as BuildKit counts lines

    # the source lines the output does not keep: PYENV instructions and rewritten FROMs
    replaced: set[int] = set()
    heads: set[int] = set()  # the first line of each of them
    for node in pyenvc.parse(text).instructions():
        if node.command == "pyenv" or (node.command == "from" and "astro-runtime:12.1.0" in node.text):
            first, last = source.position(node.start).line, source.position(node.end - 1).line
            heads.add(first)
            replaced.update(range(first, last + 1))
    kept = [n for n in range(1, len(output) + 1) if not lines.is_generated(n)]
    count = text.count("\n") + (not text.endswith("\n"))
    assert [lines.source_line(n) for n in kept] == [n for n in range(1, count + 1) if n not in replaced]
    for n in kept:  # the user's own line, byte for byte (but for the BOM, which stays first,
        # and for stage numbers, which the stages layout shifts)
        line = output[n - 1].rstrip("\r").lstrip("\ufeff")
        own = source.line_text(lines.source_line(n)).lstrip("\ufeff")
        if layout == "stages":
            line, own = _STAGE_REF.sub(r"\1N", line), _STAGE_REF.sub(r"\1N", own)
        assert line == own, (n, output[n - 1])
    for n in range(1, len(output) + 1):
        if lines.is_generated(n):
            assert lines.source_line(n) in heads, (n, output[n - 1])
            comment = _HEAD.match(output[n - 1].lstrip("\ufeff"))
            if comment is not None:  # the lowering's own comment names the same PYENV
                assert lines.source_line(n) == int(comment.group(1)), (n, output[n - 1])


_FRAGMENTS = st.sampled_from([
    "FROM ", "PYENV ", "pyenv", "ONBUILD ", "ARG ", "USER ", "3.11 ", "2.7 ", "a;b ", "--installer=",
    "--python-image=", "$X ", "${v}", "quay.io/astronomer/astro-runtime:", "12.1.0", "3.0-1", "\\\n",
    "`\n", "\n", "\r\n", "# escape=`\n", "# syntax=quay.io/astronomer/airflow-extensions:v1\n", "<<EOF\n",
    "EOF\n", "[\"3.11\"]", " ", "\t", "#", "../r.txt ", "/abs ", "r*.txt", "\ufeff", "\x00", "é",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(_FRAGMENTS).map("".join), st.binary()))
@example("FROM x\nPYENV")
@example("FROM x\nPYENV 3.11 a \\")
@example(b"FROM x\nPYENV 3.11 \xff\n")
@example("ARG a=${b:-${c}}\nFROM quay.io/astronomer/astro-runtime:${a}\nPYENV 3.11 x\n")
def test_no_input_makes_the_command_print_a_traceback(value) -> None:
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    for argv in (["-"], ["-", "--format", "json"], ["parse", "-"]):
        code, _, err = run_cli(argv, data)
        assert code in (0, 1), err
        assert "Traceback" not in err and "internal error" not in err, err
