"""Properties of compile over the real corpus (inline layout), and of the command over any input.

1. Every corpus file without PYENV compiles to itself, byte for byte.
2. With PYENV lines inserted at random valid points of a corpus file, Docker's view
   (`to_buildkit`) of every instruction that is not a PYENV is unchanged and in order, once the
   generated instructions are set aside (Astro Runtime FROM lines aside: none in the corpus).
3. No input makes the command print a traceback.
"""

from __future__ import annotations


from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pyenvc
from support import run_cli
from pyenvc.lowering.lower import Options, lower
from pyenvc.syntax.source import Source
from pyenvc.syntax.tree import Generated, Instruction

OPTIONS = {"user": "app", "uid": 1000, "home": "/home/app", "layout": "inline"}  # stages: test_stages.py
VIEW_KEYS = ("cmd", "sub_cmd", "json", "original", "flags", "next", "heredocs", "dump")


def test_corpus_without_pyenv_compiles_to_itself(corpus) -> None:
    compiled = 0
    for file in corpus:
        result = pyenvc.compile(file.text)
        if not file.accepted:
            assert result.output is None and result.diagnostics, file
            continue
        assert result.output is not None, (file, result.diagnostics)
        assert result.output.encode("utf-8", "surrogateescape") == file.data, file
        assert result.diagnostics == [], file
        compiled += 1
    assert compiled > 800


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


def _insertion_points(tree, text: str) -> list[int]:
    """Offsets where a whole line may go: before any body node after the first FROM, and the
    end of the file unless its last instruction ends in a continuation (BuildKit's
    env__Dockerfile does): a line added there would continue that instruction."""
    points = []
    seen_from = False
    for node in tree.body:
        if seen_from:
            points.append(node.start)
        if isinstance(node, Instruction) and node.command == "from":
            seen_from = True
    last = tree.body[-1] if tree.body else None
    if not (isinstance(last, Instruction) and last.text.rstrip("\r\n").endswith(tree.escape)):
        points.append(len(text))
    return points


def insert_pyenvs(data, file, versions: list[str], installers: tuple[str, ...] = ("",)) -> str:
    """The file's text with one to four PYENV lines (drawn versions and installer flags) at drawn
    whole-line points after its first FROM, in its own line ending."""
    points = _insertion_points(pyenvc.parse(file.text), file.text)
    chosen = sorted(set(data.draw(st.lists(st.sampled_from(points), min_size=1, max_size=4), label="at")))
    eol = "\r\n" if "\r\n" in file.text else "\n"
    text = file.text
    for n, at in enumerate(reversed(chosen)):
        version = data.draw(st.sampled_from(versions), label="version")
        installer = data.draw(st.sampled_from(installers), label="installer")
        line = f"PYENV {installer}{version} v{n} req{n}.txt{eol}"
        if at == len(text) and text and not text.endswith("\n"):
            line = eol + line
        text = text[:at] + line + text[at:]
    return text


_WITH_FROM: list = []


def _with_from(corpus) -> list:
    """The accepted corpus files that have a FROM and a place after it for a PYENV line
    (parsed once per session)."""
    if not _WITH_FROM:
        for f in corpus:
            if not f.accepted:
                continue
            tree = pyenvc.parse(f.text)
            if any(i.command == "from" for i in tree.instructions()) and _insertion_points(tree, f.text):
                _WITH_FROM.append(f)
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
    replaced = {
        i for i, (before, after) in enumerate(zip(pyenvc.parse(text).body, lowered.body))
        if isinstance(after, Generated) and isinstance(before, Instruction) and before.command != "pyenv"
    }
    assert not replaced  # no Astro Runtime FROM in the corpus: nothing but PYENV is replaced
    before = _view(text, set())
    after = _view(result.output, _generated_lines(lowered, result.output))
    assert after == before
    assert pyenvc.compile(result.output, **OPTIONS).output == result.output


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
