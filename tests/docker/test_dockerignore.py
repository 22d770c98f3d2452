"""`.dockerignore` matched as Docker matches it: every verdict Docker's own code gave in the
shared cases file, and properties of the matcher on bodies and paths nobody wrote down."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyenvc.docker.dockerignore import DockerignoreError, Matcher, read_patterns
from pyenvc.docker.goregexp import GoRegexpError, Regexp
from support import DOCKERIGNORE_CASES, missing_prerequisite

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


def _unescape(cell: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], cell)


def _cases() -> list:
    if not DOCKERIGNORE_CASES.is_file():
        return [None]
    rows = DOCKERIGNORE_CASES.read_text(encoding="utf-8").split("\n")  # LF only: no splitlines()
    assert rows[0] == "dockerignore\tpath\tverdict"
    cases = []
    for number, row in enumerate(rows[1:], 2):
        if row:
            body, path, verdict = row.split("\t")
            cases.append(pytest.param(_unescape(body), _unescape(path), verdict, id=f"line{number}"))
    return cases


def verdict(body: str, path: str) -> str:
    try:
        return "excluded" if Matcher.from_text(body).excludes(path) else "included"
    except DockerignoreError as error:
        return f"error: {error.message}"


@pytest.mark.parametrize(("body", "path", "expected"), _cases())
def test_docker_verdict(body, path, expected) -> None:
    if body is None:
        missing_prerequisite(f"Docker's .dockerignore verdicts are absent (looked for {DOCKERIGNORE_CASES}; set PYENVC_DOCKERIGNORE_CASES)")
    assert verdict(body, path) == expected


_PATTERN_CHARS = st.sampled_from(list("ab/*?[]^!\\-.:# \t\r\n\ufeff\u00a0\u2028") + ["**", "\\d", "[:alpha:]", "\\pL", "\\Q", "\\E", "é"])
_BODIES = st.one_of(st.text(), st.lists(_PATTERN_CHARS, max_size=30).map("".join))
_PATHS = st.one_of(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="/"), min_size=1, max_size=8), min_size=1, max_size=4).map("/".join),
    st.lists(st.sampled_from(["a", "b", "ab", ".a", "é", "[", "\udcff"]), min_size=1, max_size=4).map("/".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_BODIES, path=_PATHS)
def test_any_body_and_path_give_a_verdict_or_dockers_error(body: str, path: str) -> None:
    try:
        matcher = Matcher.from_text(body)
    except DockerignoreError as error:
        assert error.message in ("syntax error in pattern", 'illegal exclusion pattern: "!"')
        assert error.line is not None and 1 <= error.line <= body.count("\n") + 1
        return
    try:
        assert matcher.excludes(path) in (True, False)
    except DockerignoreError as error:
        assert error.message == "syntax error in pattern"


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_PATTERN_CHARS.filter(lambda c: c not in ("!", "\\E")), max_size=20).map("".join), path=_PATHS)
def test_without_exceptions_the_walk_excludes_what_matches_the_path_or_a_parent(body: str, path: str) -> None:
    """With no `!` line the walk's bookkeeping (parent results, skipped directories) must agree
    with the plain rule: some pattern matches the path or one of its parent directories."""
    try:
        matcher = Matcher.from_text(body)
        prefixes = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
        plain = any(p.match(prefix) for p in matcher.patterns for prefix in prefixes)
    except DockerignoreError:
        return
    assert not matcher.exclusions
    assert matcher.excludes(path) == plain


def test_lines_split_at_lf_only_and_lose_one_cr() -> None:
    assert read_patterns("a\rx\r\nb\u2028c\x85d\ve\rf") == ["a\rx", "b\u2028c\x85d\ve\rf"]


def test_a_line_of_64_kib_fails_as_bufio_scanner_does() -> None:
    assert read_patterns("x" * 65535) == ["x" * 65535]
    for body in ("x" * 65536, "a\n" + "é" * 32768 + "\nb"):
        with pytest.raises(DockerignoreError, match="token too long"):
            read_patterns(body)


# Go and Python agree on this much of the syntax, so there Python's `re` is the reference.
_SHARED_SYNTAX = st.lists(st.sampled_from(["a", "b", "/", "[^/]", "[^/]*", "(.*/)?", ".*", "[ab]", "[^a]", "\\.", "^"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(parts=_SHARED_SYNTAX, text=st.text(alphabet="ab/.\n", max_size=10))
def test_regexp_agrees_with_python_where_the_syntax_means_the_same(parts: list[str], text: str) -> None:
    expr = "^" + "".join(parts) + "$"
    assert Regexp(expr).search(text) == bool(re.search(expr[:-1] + r"\Z", text))


@pytest.mark.parametrize(
    ("expr", "text", "expected"),
    [
        ("^\\d$", "\u0663", False),  # ASCII digits only
        ("^\\s$", "\v", False),
        ("^\\w$", "é", False),
        ("^a\\b$", "a", True),
        ("^\\pL$", "é", True),
        ("^\\pl$", "é", True),  # Go 1.25: names are case-insensitive
        ("^\\PL$", "1", True),
        ("^[^a]$", "\n", True),
        ("^.$", "\n", False),
        ("^a$", "a\n", False),  # `$` is the end of the text
        ("^\\Q[^/]*$", "[^/]*$", True),
        ("^\\x41\\101\\0$", "AA\x00", True),
        ("^[[:^digit:]]$", "a", True),
        ("^[[:a]$", ":", True),
    ],
)
def test_regexp_means_what_go_means(expr: str, text: str, expected: bool) -> None:
    assert Regexp(expr).search(text) is expected


@pytest.mark.parametrize("expr", ["\\1", "\\8", "\\y", "\\é", "[\\b]", "[z-a]", "[[:foo:]]", "\\pX", "[a", "a**", "*", "(a", "a)", "\\C", "\\x4"])
def test_regexp_refuses_what_go_refuses(expr: str) -> None:
    with pytest.raises(GoRegexpError):
        Regexp(expr)


def test_matching_time_is_linear_in_the_path() -> None:
    """A backtracking engine takes exponential time here; the Pike VM steps each thread once."""
    matcher = Matcher.from_text("*a*a*a*a*a*a*a*a*a*a*a*a*b\n")
    assert matcher.excludes("a" * 3000) is False
