"""Everything dockerfile-parse offers, run with both libraries on the corpus: they agree
wherever dockerfile-parse reads the file as Docker does, and where it does not, pyenvc follows
BuildKit (the corpus' own `.buildkit.json`, or BuildKit's rules, case by case below)."""

from __future__ import annotations

import io
import json

import pytest
from dockerfile_parse import DockerfileParser

from pyenvc import ParseError, parse
from pyenvc.tooling import Document, NewInstruction
from pyenvc.tooling.summary import value_of


def dfp(text: str, **kwargs) -> DockerfileParser:
    return DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8", "surrogateescape")), **kwargs)


def _cases(corpus):
    for case in corpus:
        if not case.accepted or "\r" in case.text:  # dockerfile-parse reads CR as part of a line
            continue
        try:
            yield case, Document(parse(case.text))
        except ParseError:
            continue


def _go(value: str) -> str:
    """As BuildKit writes it: a byte that is not UTF-8 becomes U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _plain(value: str) -> bool:
    """No variables, quotes, escapes or heredocs: where the two libraries' rules coincide."""
    return not any(c in value for c in "$\"'\\`<")


def test_structure_agrees_where_dockerfile_parse_reads_as_buildkit(corpus) -> None:
    agreed = differed = 0
    for case, doc in _cases(corpus):
        ours = [e for e in doc.structure if e["instruction"] != "COMMENT"]
        buildkit = case.expected["commands"]
        # pyenvc's structure is BuildKit's: same instructions, lines and logical lines
        assert [(e["instruction"], e["startline"] + 1, e["endline"] + 1) for e in ours] == [
            (c["cmd"].upper(), c["start_line"], c["end_line"]) for c in buildkit], case
        assert [_go(e["value"]) for e in ours] == [c["original"][len(c["cmd"]):].lstrip(" \t") for c in buildkit], case
        try:
            theirs = [e for e in dfp(case.text).structure if e["instruction"] != "COMMENT"]
        except Exception:  # noqa: BLE001 - dockerfile-parse fails on some files BuildKit reads
            differed += 1
            continue
        keys = ("instruction", "startline", "endline", "value")
        if [tuple(e[k] for k in keys) for e in theirs] == [tuple(e[k] for k in keys) for e in ours]:
            agreed += 1
        else:
            differed += 1
    assert agreed > 500, (agreed, differed)


def test_json_has_dockerfile_parse_shape(corpus) -> None:
    for case, doc in _cases(corpus):
        ours = json.loads(doc.json)
        assert ours == [{e["instruction"]: e["value"]} for e in doc.structure]
        if case.name.startswith("dockerfile-parse-tests/"):
            theirs = json.loads(dfp(case.text).json)
            if [list(d) for d in theirs] == [list(d) for d in ours]:
                # dockerfile-parse drops the white space that ends a line; BuildKit keeps it
                stripped = [{k: v.rstrip() for k, v in d.items()} for d in ours]
                assert stripped == theirs or any(not _plain(next(iter(d.values()))) for d in theirs), case


def test_parent_images_base_image_and_multistage(corpus) -> None:
    compared = 0
    for case, doc in _cases(corpus):
        parser = dfp(case.text)
        try:
            theirs = parser.parent_images
        except Exception:  # noqa: BLE001
            continue
        froms = [s.base.value for s in doc.stages if s.base is not None]
        if len(theirs) != len(froms) or not all(_plain(f) for f in froms) or any(s.node.flags for s in doc.stages):
            continue
        compared += 1
        assert doc.parent_images == theirs, case
        assert doc.base_image == parser.baseimage and doc.is_multistage == parser.is_multistage, case
    assert compared > 500


def test_final_stage_labels_envs_args_and_cmd(corpus) -> None:
    compared = 0
    for case, doc in _cases(corpus):
        if not doc.stages or doc.stages[-1].parent is not None:
            continue  # dockerfile-parse does not inherit a parent stage's state (below)
        final = doc.stages[-1].instructions
        if not all(_plain(n.logical) for n in final if n.command in ("label", "env", "arg", "cmd")):
            continue
        parser = dfp(case.text)
        try:
            labels, envs, args, cmd = parser.labels, parser.envs, parser.args, parser.cmd
        except Exception:  # noqa: BLE001
            continue
        compared += 1
        assert doc.labels == dict(labels), case
        assert doc.envs == dict(envs), case
        assert {k: v if v is not None else "" for k, v in doc.args.items()} == dict(args), case
        assert (value_of(doc.cmd).rstrip() if doc.cmd is not None else None) == cmd, case
    assert compared > 200


def test_context_structure_is_state_at_each_instruction() -> None:
    text = "ARG A=1\nFROM x\nARG A\nENV B=$A C=2\nLABEL l=$B\n"
    doc = Document.parse(text)
    theirs = [c for c, e in zip(dfp(text).context_structure, dfp(text).structure) if e["instruction"] != "COMMENT"]
    ours = [doc.state_after(0)]
    assert (dict(theirs[-1].args), dict(theirs[-1].envs), dict(theirs[-1].labels)) == (
        dict(ours[0].args), dict(ours[0].env), dict(ours[0].labels))


# -- where dockerfile-parse does not read as Docker does, pyenvc follows Docker ------------------


def test_a_stage_inherits_its_parents_labels_and_env() -> None:
    text = "FROM x AS base\nLABEL a=1\nENV E=1\nFROM base\nLABEL b=2\n"
    assert Document.parse(text).labels == {"a": "1", "b": "2"}
    assert Document.parse(text).envs == {"E": "1"}
    assert dict(dfp(text).labels) == {"b": "2"}


def test_a_value_from_the_unknown_base_image_is_not_guessed() -> None:
    text = "FROM python\nENV P=$PATH:/x\n"
    assert Document.parse(text).envs == {"P": None}  # PATH is the image's, not known here
    assert dict(dfp(text).envs) == {"P": ":/x"}


def test_continuation_with_trailing_white_space_follows_buildkit() -> None:
    # BuildKit continues a line whose escape character is followed by white space only
    text = "FROM x\nRUN a \\  \n  b\n"
    ours = [e for e in Document.parse(text).structure if e["instruction"] == "RUN"]
    assert (ours[0]["startline"], ours[0]["endline"]) == (1, 2)


# -- the setters: each dockerfile-parse setter and its pyenvc edit give the same reading --------


BASE = "FROM python:3.12 AS build\nLABEL a=1\nENV E=1\nFROM alpine:3\nLABEL a=1 b=2\nCMD [\"sh\"]\n"


def _set(**attributes) -> DockerfileParser:
    parser = dfp(BASE)
    for name, value in attributes.items():
        setattr(parser, name, value)
    return parser


def test_base_image_setter() -> None:
    ours = Document.parse(BASE).with_base_image(-1, "debian:12")
    assert ours.parent_images == _set(baseimage="debian:12").parent_images == ["python:3.12", "debian:12"]


def test_parent_images_setter() -> None:
    doc = Document.parse(BASE)
    for index, image in enumerate(["python:3.13", "alpine:3.20"]):
        doc = doc.with_base_image(index, image)
    assert doc.parent_images == _set(parent_images=["python:3.13", "alpine:3.20"]).parent_images


def test_label_and_env_setters() -> None:
    ours = Document.parse(BASE).with_label(-1, "a", "9").with_label(-1, "c", "new")
    assert ours.labels == dict(_set(labels={"a": "9", "b": "2", "c": "new"}).labels)
    env = Document.parse(BASE).with_env(-1, "X", "1 2")
    assert env.envs == dict(_set(envs={"X": "1 2"}).envs) == {"X": "1 2"}


def test_cmd_setter() -> None:
    ours = Document.parse(BASE).with_cmd(["python", "-m", "http.server"])
    theirs = _set(cmd='["python", "-m", "http.server"]')
    assert value_of(ours.cmd) == theirs.cmd


@pytest.mark.parametrize("index", [2, 5])
def test_add_lines_and_add_lines_at(index: int) -> None:
    doc = Document.parse(BASE)
    ours = doc.inserted(index, NewInstruction("RUN", argv=("true",)))
    parser = dfp(BASE)
    anchor = [e for e in parser.structure][index]
    parser.add_lines_at(anchor, 'RUN ["true"]')  # before the anchor line, as `inserted`
    keys = ("instruction", "startline", "endline", "value")
    assert [tuple(e[k] for k in keys) for e in parser.structure] == [tuple(e[k] for k in keys) for e in ours.structure]


def test_content_and_lines() -> None:
    doc = Document.parse(BASE)
    assert doc.text == dfp(BASE).content
    assert doc.text.splitlines(keepends=True) == dfp(BASE).lines
