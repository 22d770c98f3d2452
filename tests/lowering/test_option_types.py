"""Every keyword of `pyenvc.compile`, the options table's and the others, given values that
hypothesis makes up: a value of the wrong type is a TypeError naming the keyword, a value of the
right type is a Result or a ValueError, and nothing else escapes (no AttributeError from inside).
An option added to the table is covered here without a line changed."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyenvc
from pyenvc.lowering.options import OPTIONS, Option

TEXT = "FROM debian\nPYENV 3.11 a\n"
BASE = {"uid": 1, "home": "/h", "user": "u"}  # so that compiling gets past the base image


class _WeirdPath(os.PathLike):
    def __init__(self, value: Any) -> None:
        self.value = value

    def __fspath__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"_WeirdPath({self.value!r})"


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8), st.binary(max_size=8),
    st.builds(object), st.just(pathlib.PurePosixPath("/x")), st.just(1j), st.just(bytearray(b"x")),
)
ANYTHING = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.tuples(SCALARS),
    st.dictionaries(SCALARS.filter(lambda v: v.__hash__ is not None), SCALARS, max_size=2),
    st.frozensets(st.integers(), max_size=2),
    SCALARS.map(_WeirdPath),
)


def _right_type(option: Option, value: Any) -> bool:
    """What the table's type says the option takes (a bool is not an int; None where the default is None)."""
    def one(item: Any) -> bool:
        return isinstance(item, option.type) and not (option.type is int and isinstance(item, bool))

    if option.many:
        return isinstance(value, Iterable) and not isinstance(value, (str, bytes)) and all(one(v) for v in value)
    return (value is None and option.default is None) or one(value)


def _right_values(option: Option) -> st.SearchStrategy:
    one = {str: st.text(max_size=20), int: st.integers(), bool: st.booleans()}[option.type]
    if option.choices:
        one = st.one_of(st.sampled_from(option.choices), one)
    if option.many:
        return st.one_of(st.lists(one, max_size=3), st.tuples(one))
    return st.one_of(st.none(), one) if option.default is None else one


def _calls(value_for) -> st.SearchStrategy:
    return st.sampled_from(OPTIONS).flatmap(lambda option: st.tuples(st.just(option), value_for(option)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(call=_calls(lambda option: ANYTHING.filter(lambda v: not _right_type(option, v))))
def test_a_wrong_type_for_any_option_is_a_type_error_naming_it(call) -> None:
    option, value = call
    with pytest.raises(TypeError, match=rf"^(each of )?{option.name} must be "):
        pyenvc.compile(TEXT, **{**BASE, option.name: value})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=_calls(_right_values))
def test_a_value_of_the_right_type_is_a_result_or_a_value_error(call) -> None:
    option, value = call
    try:
        result = pyenvc.compile(TEXT, **{**BASE, option.name: value})
    except ValueError as error:
        assert not isinstance(error, TypeError)
        assert "\0" not in str(error)  # shown escaped
        return
    assert isinstance(result, pyenvc.Result)


def _path_like(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, os.PathLike) and isinstance(getattr(value, "value", "x"), str))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(keyword=st.sampled_from(["path", "context"]), value=ANYTHING)
def test_path_and_context_take_a_str_path_and_nothing_else(keyword: str, value: Any) -> None:
    if keyword == "context" and value is None or _path_like(value):
        try:
            assert isinstance(pyenvc.compile(TEXT, **BASE, **{keyword: value}), pyenvc.Result)
        except ValueError as error:  # a NUL byte
            assert "NUL byte" in str(error)
        return
    with pytest.raises(TypeError, match=rf"^{keyword} must be a str path"):
        pyenvc.compile(TEXT, **BASE, **{keyword: value})


@settings(max_examples=150, deadline=None)
@given(value=ANYTHING)
def test_build_args_take_a_mapping_of_str_to_str_and_nothing_else(value: Any) -> None:
    right = value is None or (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()))
    if right:
        assert isinstance(pyenvc.compile(TEXT, **BASE, build_args=value), pyenvc.Result)
        return
    with pytest.raises(TypeError, match=r"^build_args must be a mapping of str to str"):
        pyenvc.compile(TEXT, **BASE, build_args=value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(text=ANYTHING.filter(lambda v: not isinstance(v, str)))
def test_text_that_is_not_str_is_a_type_error_naming_text(text: Any) -> None:
    with pytest.raises(TypeError, match=r"^text must be a str, not "):
        pyenvc.compile(text, **BASE)


@pytest.mark.parametrize("keyword", ["path", "context"])
@pytest.mark.parametrize("returned", [1, None, b"Dockerfile"])
def test_a_path_like_that_gives_no_str_is_a_type_error_naming_the_keyword(keyword: str, returned: Any) -> None:
    with pytest.raises(TypeError, match=rf"^{keyword} must be a str path"):
        pyenvc.compile(TEXT, **{keyword: _WeirdPath(returned)})


@pytest.mark.parametrize(("uid", "accepted"), [(0, True), (2**31 - 1, True), (2**31, False), (-1, False), (2**64, False)])
def test_uid_bounds_in_the_library(uid: int, accepted: bool) -> None:
    if accepted:
        assert pyenvc.compile(TEXT, home="/h", user="u", uid=uid).output is not None
    else:
        with pytest.raises(ValueError, match="from 0 to 2147483647"):
            pyenvc.compile(TEXT, home="/h", user="u", uid=uid)
