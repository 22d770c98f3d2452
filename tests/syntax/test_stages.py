"""The stage model (syntax/stages.py): which stages a Dockerfile has, what each is built FROM,
and which stage `--target` selects, as BuildKit resolves them. (The stages *layout* of the
lowering is tested in tests/lowering/test_layouts.py.)"""

from __future__ import annotations

import pytest

import pyenvc
from pyenvc.docker.shell import Unresolved, expand
from pyenvc.syntax import stages


def read(text: str, **build_args: str):
    return stages.read(pyenvc.parse(text), build_args)


def summary(found) -> list:
    """(index, name, base as written, resolved, parent index) of each stage."""
    return [
        (s.index, s.name, s.base.value if s.base else None, s.resolved, s.parent.index if s.parent else None)
        for s in found
    ]


def test_stages_in_order_with_their_instructions() -> None:
    text = (
        "# syntax=docker/dockerfile:1\nARG V=1\nFROM python:3.12 AS base\nRUN a\n\n# note\nENV X=1\n"
        "FROM base\nCOPY . /\n"
    )
    found = read(text)
    assert summary(found) == [(0, "base", "python:3.12", "python:3.12", None), (1, None, "base", "base", 0)]
    assert [n.keyword for n in found[0].instructions] == ["RUN", "ENV"]
    assert [n.keyword for n in found[1].instructions] == ["COPY"]
    assert found[0].node.keyword == "FROM" and found[0].node.start == text.index("FROM python")
    assert found[0].base.span.start == text.index("python:3.12")


def test_no_from_no_stages() -> None:
    assert read("ARG X=1\n") == ()
    assert read("ARG X=1\nPYENV 3.11 a\n") == ()  # before any FROM: in no stage


def test_the_chain_follows_parents_up_to_an_image() -> None:
    found = read("FROM x AS a\nFROM a AS b\nFROM python AS other\nFROM b AS c\n")
    assert [s.index for s in stages.chain(found[3])] == [3, 1, 0]
    assert [s.index for s in stages.chain(found[2])] == [2]


def test_names_are_lower_cased_and_looked_up_as_buildkit_does() -> None:
    found = read("FROM x AS Base\nFROM base AS App\nFROM Base\n")
    assert [s.name for s in found] == ["base", "app", None]
    assert found[1].parent is found[0]  # `AS Base` is the stage `base`
    # BuildKit looks the base up as written: `FROM Base` names no stage (an image reference
    # it then rejects, being upper case)
    assert found[2].parent is None and found[2].resolved == "Base"
    assert stages.find(found, "BASE") is found[0] and stages.find(found, "app") is found[1]
    assert stages.find(found, "nope") is None


def test_only_earlier_stages_count() -> None:
    found = read("FROM later AS first\nFROM x AS x\nFROM y AS later\nFROM later\n")
    assert summary(found) == [
        (0, "first", "later", "later", None),  # `later` is defined further down: an image
        (1, "x", "x", "x", None),  # itself: an image
        (2, "later", "y", "y", None),
        (3, None, "later", "later", 2),
    ]


def test_a_repeated_name_means_the_later_stage_from_then_on() -> None:
    found = read("FROM a AS s\nFROM s AS t\nFROM b AS s\nFROM s\n")
    assert found[1].parent is found[0] and found[3].parent is found[2]
    assert stages.find(found, "s") is found[2]


def test_a_stage_named_like_an_image() -> None:
    found = read("FROM python:3.12 AS python\nFROM python\nFROM python:3.12\n")
    assert found[1].parent is found[0]
    assert found[2].parent is None  # the tag makes it another name: the image


def test_from_is_resolved_from_global_args() -> None:
    text = "ARG B=base\nARG TAG\nARG REF=${B}\nFROM x AS base\nFROM ${B} AS one\nFROM $REF\nFROM python:${TAG}\n"
    assert summary(read(text)) == [
        (0, "base", "x", "x", None),
        (1, "one", "${B}", "base", 0),
        (2, None, "$REF", "base", 0),  # a default that uses an earlier ARG
        (3, None, "python:${TAG}", None, None),  # `ARG TAG` has no value
    ]
    assert summary(read(text, B="one", TAG="3.12")) == [
        (0, "base", "x", "x", None),
        (1, "one", "${B}", "one", None),  # a build arg replaces the default; `one` is not earlier
        (2, None, "$REF", "one", 1),  # REF's default sees the build arg's B
        (3, None, "python:${TAG}", "python:3.12", None),
    ]


def test_only_args_before_the_first_from_are_global() -> None:
    found = read("FROM x AS base\nARG B=base\nFROM ${B}\n")
    assert found[1].resolved is None and found[1].parent is None
    # a build arg that no global ARG declares is not seen either
    assert read("FROM x AS base\nFROM ${B}\n", B="base")[1].resolved is None


def test_unknown_values_are_never_guessed() -> None:
    text = "ARG A=${TARGETARCH}\nFROM x AS base\nFROM ${TARGETARCH:-base}\nFROM ${A:-base}\nFROM ${NOPE:-base}\n"
    found = read(text)
    # TARGETARCH is always declared, with the machine's value: not the default
    assert found[1].resolved is None and found[2].resolved is None
    assert found[3].parent is found[0]  # NOPE is declared nowhere: the default is taken
    with_arch = read(text, TARGETARCH="arm64")
    assert with_arch[1].resolved == "arm64" and with_arch[2].resolved == "arm64"


def test_quotes_escapes_and_the_escape_directive() -> None:
    assert read('ARG B="ba"se\nFROM x AS base\nFROM "$B"\n')[1].parent is not None
    found = read("# escape=`\nARG B=b`ase\nFROM x AS base\nFROM ${B}\n")
    assert found[1].resolved == "base" and found[1].parent is found[0]


def test_global_args_raise_for_what_is_not_known() -> None:
    args = stages.global_args(pyenvc.parse("ARG A=1\nARG B=${TARGETOS}\nARG C\nFROM x\nARG D=4\n"), {"C": "3"})
    assert (args["A"], args["C"]) == ("1", "3")
    assert "B" in args and "TARGETOS" in args and "D" not in args
    with pytest.raises(Unresolved):
        args["B"]
    with pytest.raises(Unresolved):
        expand("${B:-x}", args)
    assert expand("${D:-x}", args) == "x"


def test_a_from_without_an_image_or_with_flags() -> None:
    found = read("FROM --platform=$BUILDPLATFORM x AS base\nFROM --platform=linux/amd64 base AS app\n")
    assert found[1].base.value == "base" and found[1].parent is found[0]
    assert found[0].node.platform.value == "$BUILDPLATFORM"
    [empty] = read("FROM\nRUN x\n")  # BuildKit rejects it later; the model keeps it
    assert (empty.base, empty.resolved, empty.parent, len(empty.instructions)) == (None, None, None, 1)
