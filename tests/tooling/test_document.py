"""The read API: stages, ARG values, the state in effect, references and venvs, each against
BuildKit's rules (dockerfile2llb/convert.go), on hand-made files and on the corpus."""

from __future__ import annotations

import pytest

from pyenvc import ParseError, parse
from pyenvc.syntax.tree import From
from pyenvc.tooling import Document

FILE = """\
ARG V=3.12
ARG BASE=python:${V}-slim
FROM ${BASE} AS Build
ENV A=1 B=$A
ENV C=$A
ARG V
ARG LOCAL=x-$V
LABEL title="hello world" version=$V
WORKDIR app
WORKDIR ../srv//data
USER astro
SHELL ["/bin/bash", "-c"]
RUN --mount=from=build,target=/x --mount=type=cache,target=/c true
FROM build AS test
COPY --from=0 /a /b
COPY --from=Build /a /b
COPY --from=alpine:3 /a /b
RUN --mount=from=0,target=/y true
FROM scratch AS final
ENV Q=$UNSET R=${UNSET:-default}
COPY --from=test /a /b
"""


@pytest.fixture
def doc() -> Document:
    return Document.parse(FILE, {"V": "3.11"})


def node(doc: Document, prefix: str, nth: int = 0):
    return [n for n in doc.instructions if n.text.startswith(prefix)][nth]


def test_stages_index_name_base_and_chain(doc: Document) -> None:
    assert Document.parse("FROM --platform=$BUILDPLATFORM a\nFROM b\n").stages[0].platform == "$BUILDPLATFORM"
    assert [(s.index, s.name, s.base.raw, s.resolved) for s in doc.stages] == [
        (0, "build", "${BASE}", "python:3.11-slim"),  # the build arg replaces V's default
        (1, "test", "build", "build"),
        (2, "final", "scratch", "scratch"),
    ]
    assert doc.stage("TEST") is doc.stage(1) is doc.stage(-2)  # names are looked up lower-cased
    assert [s.index for s in doc.chain("test")] == [1, 0]
    assert doc.stage(1).parent is doc.stage(0) and doc.stage(2).parent is None
    with pytest.raises(KeyError):
        doc.stage("nope")
    with pytest.raises(TypeError):
        doc.stage(True)


def test_global_args_as_from_lines_see_them(doc: Document) -> None:
    assert doc.global_args == {"V": "3.11", "BASE": "python:3.11-slim"}
    assert Document.parse(FILE).global_args == {"V": "3.12", "BASE": "python:3.12-slim"}


def test_platform_args_are_not_known_unless_given() -> None:
    text = "ARG TARGETARCH\nARG IMG=base-$TARGETARCH\nFROM $IMG\n"
    assert Document.parse(text).stages[0].resolved is None
    assert Document.parse(text, {"TARGETARCH": "arm64"}).stages[0].resolved == "base-arm64"


def test_env_pairs_see_the_values_from_before_their_instruction(doc: Document) -> None:
    # `ENV A=1 B=$A`: B is expanded before A is set, with the image's A, which is not known here
    assert doc.state_at(node(doc, "ENV C")).env == {"A": "1", "B": None}
    assert doc.state_at(node(doc, "ARG V\n")).env == {"A": "1", "B": None, "C": "1"}


def test_arg_in_a_stage_takes_build_arg_then_default_then_global(doc: Document) -> None:
    at_label = doc.state_at(node(doc, "LABEL"))
    assert at_label.args == {"V": "3.11", "LOCAL": "x-3.11"}
    assert at_label.variables["V"] == "3.11"
    assert "V" not in at_label.env  # an ARG is a variable, not part of the image's environment
    no_build_args = Document.parse(FILE)
    assert no_build_args.state_at(node(no_build_args, "LABEL")).args == {"V": "3.12", "LOCAL": "x-3.12"}
    # a stage ARG with neither default, build arg nor global ARG is declared without a value
    lone = Document.parse("FROM a\nARG X\nRUN true\n")
    assert lone.state_at(lone.instructions[-1]).args == {"X": None}
    assert "X" not in lone.state_at(lone.instructions[-1]).variables


def test_labels_workdir_user_shell_in_effect(doc: Document) -> None:
    at_run = doc.state_at(node(doc, "RUN --mount=from=build"))
    assert at_run.labels == {"title": "hello world", "version": "3.11"}
    # a relative WORKDIR on an image whose own WORKDIR is not known is not known either
    assert at_run.workdir is None
    assert at_run.user == "astro"
    assert at_run.shell == ("/bin/bash", "-c")
    rooted = Document.parse("FROM a\nWORKDIR /opt\nWORKDIR app\nWORKDIR ../srv//data/\nWORKDIR /x/./y\nRUN true\n")
    workdirs = [rooted.state_at(n).workdir for n in rooted.instructions[2:]]
    assert workdirs == ["/opt", "/opt/app", "/opt/srv/data", "/x/y"]


def test_a_stage_from_a_stage_inherits_its_state(doc: Document) -> None:
    first = doc.state_after("build")
    child = doc.state_at(doc.stage("test").node)
    assert child == first
    assert child.variables["LOCAL"] == "x-3.11"  # ARGs are in the state a child starts with


def test_scratch_has_no_variables_so_unset_ones_are_empty(doc: Document) -> None:
    final = doc.state_after("final")
    assert final.env == {"Q": "", "R": "default"}
    assert final.user == "" and final.workdir == "/" and not final.from_image


def test_references_resolve_as_buildkit_does(doc: Document) -> None:
    found = [(r.kind, r.value, r.stage.index if r.stage else None, r.image, r.within.index) for r in doc.references]
    assert found == [
        ("mount", "build", 0, None, 0),
        ("copy", "0", 0, None, 1),
        ("copy", "Build", 0, None, 1),  # looked up lower-cased
        ("copy", "alpine:3", None, "alpine:3", 1),
        ("mount", "0", None, "0", 1),  # a mount's from= is a name only: `0` is an image
        ("copy", "test", 1, None, 2),
    ]
    text = doc.text
    for ref in doc.references:
        assert text[ref.span.start:ref.span.end] == ref.value


def test_external_images_are_what_the_build_takes_from_outside() -> None:
    text = (
        "ARG V=3.12\nARG UNSET\nFROM python:${V} AS build\r\nCOPY --from=build /a /b\n"
        "FROM build AS test\nRUN --mount=from=ghcr.io/astral-sh/uv:1,source=/uv,target=/uv uv\n"
        "FROM scratch\nCOPY --from=test /x /y\nCOPY --from=alpine:3 /z /z\nFROM img:${UNSET}\n"  # UNSET may come from --build-arg
    )
    assert Document.parse(text).external_images == {"python:3.12", "ghcr.io/astral-sh/uv:1", "alpine:3"}


def test_a_later_stage_may_be_named_by_copy_from() -> None:
    doc = Document.parse("FROM a AS one\nCOPY --from=two /x /y\nFROM b AS two\n")
    assert doc.references[0].stage is doc.stage("two")


def test_venvs_per_stage() -> None:
    doc = Document.parse("FROM a\nPYENV 3.12 etl r.txt\nFROM b AS x\nPYENV 3.8 old\n")
    assert [(v.stage.index, v.name.value, v.version.value, v.requirements and v.requirements.value) for v in doc.venvs] == [
        (0, "etl", "3.12", "r.txt"), (1, "old", "3.8", None)
    ]


def test_state_at_refuses_a_node_of_another_file(doc: Document) -> None:
    other = Document.parse("FROM z\nRUN other\n")
    with pytest.raises(KeyError):
        doc.state_at(other.instructions[1])
    with pytest.raises(KeyError):
        doc.state_at(doc.instructions[0])  # a global ARG belongs to no stage


def test_parse_errors_and_wrong_types() -> None:
    with pytest.raises(ParseError):
        Document.parse("# escape=x\nFROM a\n")
    with pytest.raises(TypeError):
        Document.parse(b"FROM a\n")  # type: ignore[arg-type]


def test_every_corpus_file_reads_and_its_stages_are_its_from_lines(corpus) -> None:
    for case in corpus:
        if not case.accepted:
            continue
        try:
            doc = Document(parse(case.text))
        except ParseError:
            continue  # the parser's own tests compare its verdicts with BuildKit's
        froms = [c for c in case.expected["commands"] if c["cmd"].lower() == "from"]
        assert len(doc.stages) == len(froms), case
        assert [s.node.start for s in doc.stages] == [n.start for n in doc.instructions if isinstance(n, From)], case
        for stage in doc.stages:
            doc.state_after(stage)  # never raises, whatever the file holds
            for chained in doc.chain(stage)[1:]:
                assert chained.index < stage.index, case
        for ref in doc.references:
            assert ref.span.start < 0 or case.text[ref.span.start:ref.span.end] == ref.value, case
