"""The parser against Docker's own parser, over the whole corpus.

Lossless: parse then emit gives back the exact input. Faithful: every key of BuildKit's
answer (`.buildkit.json`) and every `result` dump of BuildKit's own test files agrees; every
file BuildKit rejects raises ParseError with BuildKit's message and a span on the problem.
"""

from __future__ import annotations

import difflib

import pytest

import pyenvc
from pyenvc.source import Source

COMMAND_KEYS = ("cmd", "sub_cmd", "json", "original", "start_line", "end_line", "flags", "next", "heredocs", "dump")
FILE_KEYS = ("escape_token", "directives", "warnings", "dump")


def _diff(expected: str, got: str) -> str:
    return "\n".join(
        difflib.unified_diff(expected.splitlines(), got.splitlines(), "input", "emitted", lineterm="")
    )


def test_corpus_round_trips_byte_for_byte(corpus):
    accepted = [f for f in corpus if f.accepted]
    assert len(accepted) > 800
    for file in accepted:
        emitted = pyenvc.emit(pyenvc.parse(file.text))
        assert emitted.encode("utf-8", "surrogateescape") == file.data, f"{file}\n{_diff(file.text, emitted)}"


def _replace_invalid(value):
    """BuildKit's JSON shows bytes that are not UTF-8 as U+FFFD; compare such files on that."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, list):
        return [_replace_invalid(v) for v in value]
    if isinstance(value, dict):
        return {k: _replace_invalid(v) for k, v in value.items()}
    return value


def test_corpus_agrees_with_buildkit_on_every_key(corpus):
    disagreements = []
    compared = 0
    for file in corpus:
        if not file.accepted:
            continue
        view = pyenvc.to_buildkit(pyenvc.parse(file.text))
        expected = file.expected
        if not expected["utf8_valid"]:
            view = _replace_invalid(view)
            view["dump"] = expected["dump"]  # the dump quotes invalid bytes, the JSON replaced them
            for command, theirs in zip(view["commands"], expected["commands"]):
                command["dump"] = theirs["dump"]
        for key in FILE_KEYS:
            if view.get(key) != expected.get(key):
                disagreements.append((file.name, key, view.get(key), expected.get(key)))
        if len(view["commands"]) != len(expected["commands"]):
            disagreements.append((file.name, "commands", len(view["commands"]), len(expected["commands"])))
            continue
        for index, (ours, theirs) in enumerate(zip(view["commands"], expected["commands"])):
            keys = COMMAND_KEYS + (("sub_flags",) if "sub_flags" in theirs else ())
            for key in keys:
                if ours.get(key) != theirs.get(key):
                    disagreements.append((file.name, f"commands[{index}].{key}", ours.get(key), theirs.get(key)))
        compared += 1
    assert compared > 800
    assert not disagreements, "\n".join(map(repr, disagreements[:20]))


def test_buildkit_result_dumps_match(corpus):
    results = [f for f in corpus if f.path.parent.name == "buildkit-testfiles" and f.path.name.endswith("__Dockerfile")]
    checked = 0
    for file in results:
        result = file.path.with_name(file.path.name[: -len("Dockerfile")] + "result")
        if not result.exists():
            continue
        expected = result.read_bytes().decode("utf-8", "surrogateescape")
        assert pyenvc.to_buildkit(pyenvc.parse(file.text))["dump"] == expected, file.name
        checked += 1
    assert checked >= 30


def test_rejected_files_raise_parse_error_with_buildkits_message_and_a_span(corpus):
    rejected = [f for f in corpus if not f.accepted]
    assert len(rejected) >= 15
    for file in rejected:
        with pytest.raises(pyenvc.ParseError) as caught:
            pyenvc.parse(file.text)
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.message == file.expected["error"], file.name
        assert diagnostic.span is not None and 0 <= diagnostic.span.start <= diagnostic.span.end <= len(file.text)
        position = Source(file.text).position(diagnostic.span.start)
        assert (position.line, position.column) == (diagnostic.line, diagnostic.column)
