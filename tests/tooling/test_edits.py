"""Lossless edits: only the edited bytes change, and BuildKit's own parser (the Go binding
`dockerfile`) reads the edited file as the edit says, with every other instruction as before.
Hand-made cases, then every edit over the corpus."""

from __future__ import annotations

import contextlib

import dockerfile
import pytest

from pyenvc import ParseError, parse
from pyenvc.tooling import Document, NewInstruction, Unrepresentable


def go_view(text: str) -> list[tuple]:
    """What BuildKit's parser reads from each instruction (no line numbers: edits may add lines)."""
    return [(c.cmd, c.sub_cmd, c.json, c.flags, c.value) for c in dockerfile.parse_string(text)]


def changed(before: list, after: list) -> list[int]:
    assert len(before) == len(after)
    return [i for i, (a, b) in enumerate(zip(before, after)) if a != b]


def assert_only_between(before: str, after: str, start: int, end: int) -> None:
    """`after` is `before` with only `before[start:end]` replaced."""
    tail = len(before) - end
    assert after[:start] == before[:start]
    assert after[len(after) - tail:] == before[end:]


BASE = """\
# a comment that stays
ARG VERSION=1.0
FROM python:3.12-slim@sha256:%s AS Build
LABEL a=1 \\
      b="two words"
RUN --mount=from=build,target=/x true
FROM build
COPY --from=build /a /b
FROM alpine
""" % ("0" * 64)


def test_base_image_tag_digest_and_image() -> None:
    doc = Document.parse(BASE)
    word = doc.stage(0).base
    tagged = doc.with_base_image(0, tag="3.13-slim")
    assert tagged.stage(0).resolved == "python:3.13-slim@sha256:" + "0" * 64
    assert_only_between(doc.text, tagged.text, word.span.start, word.span.end)
    assert tagged.with_base_image(0, digest="").stage(0).resolved == "python:3.13-slim"
    assert doc.with_base_image("build", "ghcr.io/org/img:1").stage(0).resolved == "ghcr.io/org/img:1"
    assert changed(go_view(doc.text), go_view(tagged.text)) == [1]
    assert doc.text == BASE  # the document edited is left as it was


@pytest.mark.parametrize("image", ["UPPER:1", "a b", "x;rm -rf /", "--platform=x", "img:$TAG", "a\nRUN x"])
def test_base_image_refuses_what_docker_would_read_otherwise(image: str) -> None:
    with pytest.raises(ValueError):
        Document.parse(BASE).with_base_image(0, image)


def test_base_image_with_variables_is_edited_through_the_arg() -> None:
    doc = Document.parse("ARG T=1\nFROM img:$T\n")
    with pytest.raises(Unrepresentable):
        doc.with_base_image(0, tag="2")
    assert doc.with_arg_default("T", "2").stage(0).resolved == "img:2"


@pytest.mark.parametrize("value", ["plain", "two words", "it's", 'say "hi"', "$HOME", "a\\b", "", "tab\tin"])
def test_label_values_reach_buildkit_exactly(value: str) -> None:
    doc = Document.parse(BASE)
    for name in ("b", "new.label"):
        edited = doc.with_label(0, name, value)
        assert edited.state_after(0).labels[name] == value
        assert edited.stage(0).node.text == doc.stage(0).node.text


def test_label_replaced_in_place_keeps_the_continuation() -> None:
    doc = Document.parse(BASE)
    edited = doc.with_label(0, "a", "9")
    assert "LABEL a=9 \\\n      b=\"two words\"\n" in edited.text
    assert changed(go_view(doc.text), go_view(edited.text)) == [2]


def test_label_removed() -> None:
    doc = Document.parse(BASE)
    without_b = doc.without_label(0, "b")
    assert without_b.state_after(0).labels == {"a": "1"}
    both_gone = without_b.without_label(0, "a")
    assert "LABEL" not in both_gone.text and both_gone.state_after(0).labels == {}
    with pytest.raises(KeyError):
        doc.without_label(1, "a")


def test_rename_stage_updates_every_reference() -> None:
    doc = Document.parse(BASE)
    renamed = doc.with_stage_renamed("build", "compile")
    assert renamed.stage(0).name == "compile"
    assert renamed.stage(1).parent is renamed.stage(0)
    assert [r.stage.index for r in renamed.references] == [0, 0]
    assert "build" not in renamed.text.lower().replace("# a comment", "")
    unnamed = doc.with_stage_renamed(2, "final")
    assert unnamed.stage("final").index == 2 and "FROM alpine AS final\n" in unnamed.text
    with pytest.raises(ValueError):
        doc.with_stage_renamed(2, "build")  # taken
    with pytest.raises(ValueError):
        doc.with_stage_renamed(2, "9lives")  # BuildKit's stage names start with a letter


def test_arg_default_set_added_and_refused() -> None:
    doc = Document.parse("ARG A\nARG B=1\nFROM x\nARG C\n")
    assert doc.with_arg_default("A", "v w").global_args["A"] == "v w"
    assert doc.with_arg_default("B", "2").text.startswith("ARG A\nARG B=2\nFROM x\n")
    in_stage = doc.with_arg_default("C", "3", 0)
    assert in_stage.state_after(0).args == {"C": "3"}
    with pytest.raises(KeyError):
        doc.with_arg_default("C", "3")  # no global ARG C


def test_instructions_added_replaced_removed() -> None:
    doc = Document.parse(BASE)
    run = NewInstruction("RUN", argv=("echo", "hi there"))
    added = doc.inserted(3, run)
    assert go_view(added.text)[3] == ("RUN", None, True, (), ("echo", "hi there"))
    assert len(added.instructions) == len(doc.instructions) + 1
    replaced = doc.replaced(doc.instructions[3], NewInstruction("USER", words=("astro",)))
    assert go_view(replaced.text)[3][0] == "USER"
    assert len(replaced.instructions) == len(doc.instructions)
    removed = doc.removed(doc.instructions[3])
    assert go_view(removed.text) == go_view(doc.text)[:3] + go_view(doc.text)[4:]
    with pytest.raises(Unrepresentable):
        doc.inserted(0, run)  # only ARG before the first FROM
    with pytest.raises(ValueError):
        doc.inserted(1, NewInstruction("RUN", words=("$(rm -rf /)",)))


def test_lower_case_files_get_lower_case_keywords() -> None:
    doc = Document.parse("from a\nrun true\nlabel x=1\n")
    assert doc.with_label(0, "y", "2").text == "from a\nrun true\nlabel x=1\nlabel y=2\n"


def test_crlf_files_get_crlf_lines() -> None:
    doc = Document.parse("FROM a\r\nRUN true\r\n")
    assert doc.with_label(0, "y", "2").text == "FROM a\r\nRUN true\r\nLABEL y=2\r\n"


# -- over the corpus: edit, print, and BuildKit's view changes only where the edit says ----------


def _documents(corpus):
    for case in corpus:
        if not case.accepted or "\x00" in case.text or "\ufffd" in case.data.decode("utf-8", "replace"):
            continue  # the Go binding crashes on bytes that are not UTF-8
        try:
            doc = Document(parse(case.text))
            before = go_view(case.text)
        except (ParseError, dockerfile.GoParseError):
            continue
        if len(before) != len(case.expected["commands"]):
            continue  # the binding's BuildKit is older than the corpus' (`# check=` before `# escape=`)
        if doc.stages:
            yield case, doc, before


def _index_of(doc: Document, node) -> int:
    return next(i for i, n in enumerate(doc.instructions) if n.start == node.start)


def test_corpus_base_image_edits(corpus) -> None:
    edited = refused = 0
    for case, doc, before in _documents(corpus):
        for stage in doc.stages:
            if stage.base is None or "$" in stage.base.value or stage.parent is not None or stage.resolved == "scratch":
                continue
            try:
                new = doc.with_base_image(stage, tag="pyenvc-edit")
            except ValueError:
                refused += 1
                continue
            edited += 1
            assert changed(before, go_view(new.text)) == [_index_of(doc, stage.node)], case
            assert go_view(new.text)[_index_of(doc, stage.node)][4][0].split("@")[0].endswith(":pyenvc-edit"), case
            span = stage.base.span
            assert_only_between(doc.text, new.text, span.start, span.end)
    assert edited > 300 and refused < edited / 20


def test_corpus_label_edits(corpus) -> None:
    value = "a value with 'quotes', \"doubles\" and spaces"
    count = refused = 0
    for case, doc, before in _documents(corpus):
        stage = doc.stages[-1]
        try:
            new = doc.with_label(stage, "org.pyenvc.edit", value)
        except Unrepresentable:
            # only where the file ends inside a line continuation, which would swallow a new line
            appended = doc.text + ("" if doc.text.endswith("\n") else "\n") + "LABEL x=1\n"
            with contextlib.suppress(ParseError):  # swallowed into an instruction BuildKit rejects
                assert len(parse(appended).instructions()) == len(doc.instructions), case
            refused += 1
            continue
        after = go_view(new.text)
        count += 1
        assert new.state_after(stage).labels["org.pyenvc.edit"] == value, case
        assert len(after) == len(before) + 1 and after[:-1] == before, case  # one line, at the end
    assert count > 300 and refused < 10


def test_corpus_stage_renames(corpus) -> None:
    renamed = 0
    for case, doc, before in _documents(corpus):
        stage = doc.stages[0]
        if any(s.name == "pyenvc-renamed" for s in doc.stages):
            continue
        try:
            new = doc.with_stage_renamed(stage, "pyenvc-renamed")
        except ValueError:
            continue
        renamed += 1
        assert new.stage(0).name == "pyenvc-renamed", case
        # every reference names the stage it named before, and nothing else moved
        assert [(r.stage.index if r.stage else r.image) for r in new.references] == [
            (r.stage.index if r.stage else r.image) for r in doc.references], case
        assert [s.parent.index if s.parent else None for s in new.stages] == [
            s.parent.index if s.parent else None for s in doc.stages], case
        edited = {_index_of(doc, stage.node)} | {_index_of(doc, s.node) for s in doc.stages if s.parent is stage}
        edited |= {_index_of(doc, r.node) for r in doc.references if r.stage is stage}
        assert set(changed(before, go_view(new.text))) <= edited, case
    assert renamed > 300


def test_corpus_arg_defaults_and_removals(corpus) -> None:
    args = removals = 0
    for case, doc, before in _documents(corpus):
        first_from = doc.stages[0].node.start
        global_arg = next((n for n in doc.instructions if n.command == "arg" and n.start < first_from and n.pairs), None)
        if global_arg is not None:
            name = global_arg.pairs[-1].name.value
            try:
                new = doc.with_arg_default(name, "pyenvc edit")
            except ValueError:
                pass
            else:
                args += 1
                assert new.global_args[name] == "pyenvc edit", case
                assert changed(before, go_view(new.text)) == [_index_of(doc, global_arg)], case
        victim = next((n for n in doc.instructions[1:] if n.command not in ("from", "arg")), None)
        if victim is not None:
            index = _index_of(doc, victim)
            try:
                new = doc.removed(victim)
            except ValueError:
                continue
            removals += 1
            assert go_view(new.text) == before[:index] + before[index + 1:], case
            assert new.text == doc.text[:victim.start] + doc.text[victim.end:], case
    assert args > 30 and removals > 300, (args, removals)
