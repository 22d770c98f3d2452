"""The options table: the Options record and compile()'s keyword parameters are derived from it
(an option added to a copy of the table appears in both), and the library refuses a caller's
mistakes as the spec says: a wrong type is a TypeError naming the parameter, a value it cannot
honour a ValueError, before anything is read. The command line's side: tests/commands/test_arguments.py.
"""

from __future__ import annotations

import inspect
import pathlib

import attrs
import pytest

import pyenvc
from pyenvc.lowering import generate, options
from bad_options import FAKE, TYPE_ERRORS, VALUE_ERRORS
from pyenvc.lowering.options import OPTIONS, Options

TEXT = "FROM debian\nPYENV 3.11 a\n"

@pytest.mark.parametrize(("keyword", "value"), TYPE_ERRORS, ids=[f"{k}={v!r}" for k, v in TYPE_ERRORS])
def test_a_wrong_type_is_a_type_error_naming_the_parameter(keyword, value) -> None:
    with pytest.raises(TypeError, match=rf"^(each of )?{keyword} must be "):
        pyenvc.compile(TEXT, **{keyword: value})


@pytest.mark.parametrize("text", [b"FROM x\n", None, ["FROM x\n"]])
def test_text_that_is_not_str_is_a_type_error(text) -> None:
    with pytest.raises(TypeError, match="^text must be a str"):
        pyenvc.compile(text)


def test_an_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        pyenvc.compile(TEXT, colour="blue")


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [(k, v, m) for k, v, _, m in VALUE_ERRORS],
    ids=[f"{k}={v!r}" for k, v, _, _ in VALUE_ERRORS],
)
def test_a_value_it_cannot_honour_is_a_value_error(keyword, value, message) -> None:
    with pytest.raises(ValueError) as raised:
        pyenvc.compile(TEXT, **{keyword: value})
    assert message in str(raised.value)
    assert "\0" not in str(raised.value)  # a NUL is shown escaped
    assert not isinstance(raised.value, TypeError)


def test_the_callers_mistake_is_raised_before_the_text_is_read() -> None:
    with pytest.raises(ValueError):
        pyenvc.compile("RUN <<EOF\n", layout="nested")  # text that does not parse
    with pytest.raises(TypeError):
        pyenvc.compile(b"x", uid="1")


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("uid", 0),
        ("uid", 2**31 - 1),
        ("home", "/opt/app-1.0/x_y"),
        ("user", "app:staff"),
        ("python_flavour", "slim-bookworm"),
        ("uv_image", "localhost:5000/uv@sha256:" + "0" * 64),
        ("runtime_images", ("quay.io/me/runtime", "registry:5000/rt")),
        ("runtime_images", ["quay.io/me/runtime"]),
        ("build_args", {"A": "1"}),
        ("context", pathlib.Path(".")),
        ("path", pathlib.Path("Dockerfile")),
        ("astro", False),
    ],
)
def test_values_it_honours(keyword, value) -> None:
    given = {"uid": 1, "home": "/h", "user": "u", keyword: value}
    result = pyenvc.compile(TEXT, **given)
    assert result.output is not None, result.diagnostics


def test_one_trailing_slash_of_home_is_dropped() -> None:
    output = pyenvc.compile(TEXT, home="/srv/app/", uid=1, user="u").output
    assert output is not None and "/srv/app/.venv/a" in output and "//" not in output.replace("://", "")
    assert Options(home="/srv/app/").home == "/srv/app"


# -- what is derived from the table ------------------------------------------------------------

SPEC_SIGNATURE = [  # the spec's Library section, but installer="pip" until the default changes
    ("text", inspect.Parameter.empty),
    ("path", "Dockerfile"),
    ("context", None),
    ("build_args", None),
    ("layout", "stages"),
    ("installer", "uv"),
    ("user", None),
    ("uid", None),
    ("home", None),
    ("python_flavour", None),
    ("astro", True),
    ("runtime_images", ()),
    ("uv_image", generate.DEFAULT_UV_IMAGE),
]


def test_compile_has_the_spec_signature() -> None:
    parameters = inspect.signature(pyenvc.compile).parameters.values()
    assert [(p.name, p.default) for p in parameters] == SPEC_SIGNATURE
    assert [p.kind for p in parameters][1:] == [inspect.Parameter.KEYWORD_ONLY] * (len(SPEC_SIGNATURE) - 1)


def test_every_option_is_a_keyword_of_compile_and_a_field_of_options() -> None:
    names = [o.name for o in OPTIONS]
    keywords = list(inspect.signature(pyenvc.compile).parameters)
    assert keywords == ["text", "path", "context", "build_args", *names]
    assert list(attrs.fields_dict(Options)) == [*names, "build_args", "context"]
    defaults = Options()
    assert all(getattr(defaults, o.name) == o.default for o in OPTIONS)


def test_an_option_added_to_the_table_appears_in_the_record_and_the_parameters() -> None:
    table = (*OPTIONS, FAKE)
    record = options.record(table)
    assert record().colour == "blue" and record(colour="red").colour == "red"
    with pytest.raises(ValueError, match="unknown colour 'green', expected one of: blue, red"):
        record(colour="green")
    with pytest.raises(TypeError, match="^colour must be a str, not int"):
        record(colour=1)
    parameters = {p.name: p for p in options.parameters(table)}
    assert parameters["colour"].default == "blue" and parameters["colour"].kind is inspect.Parameter.KEYWORD_ONLY
    assert [p.name for p in options.parameters(table)] == [o.name for o in table]


def test_every_default_passes_its_own_check() -> None:
    for option in OPTIONS:
        assert option.check(option.default) == option.default, option.name
