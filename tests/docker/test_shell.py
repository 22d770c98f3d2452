"""BuildKit's shell lexer: ProcessWord with the variables known at compile time (the heredoc
side of the same lexer is tested with the parser and by the differential fuzz target)."""

from __future__ import annotations

import pytest

from pyenvc.docker.shell import Unresolved, expand


@pytest.mark.parametrize(
    ("word", "env", "expected"),
    [
        ("${a}", {"a": "x"}, "x"),
        ("$a:1", {"a": "x"}, "x:1"),
        ("${a:-d}", {"a": ""}, "d"),
        ("${a-d}", {"a": ""}, ""),
        ("${a:+alt}", {"a": "v"}, "alt"),
        ('"q${a}"', {"a": "v"}, "qv"),
        ("'${a}'", {"a": "v"}, "${a}"),
        ("\\$a", {"a": "v"}, "$a"),
        ("x\\", {}, "x"),  # a trailing escape is dropped, as lex.go's processStopOn does
        ("$a`", {"a": "1"}, "1"),  # with the backtick escape: the same
    ],
)
def test_expand(word: str, env: dict, expected: str) -> None:
    escape = "`" if word.endswith("`") else "\\"
    assert expand(word, env, escape) == expected


@pytest.mark.parametrize("word", ["$unset", "${unset}", "${a?err}", "${a#p}", "${a/p/r}", "$1", "${"])
def test_what_cannot_be_known_is_unresolved(word: str) -> None:
    with pytest.raises(Unresolved):
        expand(word, {"a": "v"})


def test_a_letter_that_is_not_ascii_continues_the_name() -> None:
    """Go's processName takes unicode.IsLetter: `$Bé` names the variable `Bé`."""
    assert expand("$Bé", {"Bé": "x", "B": "y"}) == "x"
