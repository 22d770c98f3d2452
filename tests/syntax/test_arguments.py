"""The typed fields of instruction nodes: BuildKit's values, each with its span in the source.

Over the corpus, every node's words, flags and pairs carry exactly the values of BuildKit's own
parse (`.buildkit.json`), and every span points at the characters the word was read from.
"""

from __future__ import annotations

import json

import dockerfile
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import pyenvc
from pyenvc.syntax.parser import grammar
from pyenvc.syntax.tree import Add, Arg, Copy, Env, From, Label, Onbuild, Pyenv, Run, User


def _source_text(text: str, node, word) -> str:
    """The source characters of a word's span, with the continuations inside it removed."""
    return "".join(
        text[a:b] for a, b in _logical_runs(node, word)
    )


def _logical_runs(node, word):
    # the span covers whole runs of the logical line; rebuild it from node.origins
    start, end = word.span.start - node.start, word.span.end - node.start
    runs = []
    origins = list(node.origins) + [(len(node.logical), None)]
    for (logical, physical), (next_logical, _n) in zip(origins, origins[1:]):
        a, b = physical, physical + (next_logical - logical)
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            runs.append((node.start + lo, node.start + hi))
    return runs


def _go(values: list) -> list:
    """As BuildKit writes them: a byte that is not UTF-8 becomes U+FFFD."""
    return [v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for v in values]


@pytest.mark.corpus
def test_fields_carry_buildkits_values_and_true_spans(corpus) -> None:
    checked = 0
    for file in corpus:
        if not file.accepted:
            continue
        tree = pyenvc.parse(file.text)
        commands = file.expected["commands"]
        nodes = tree.instructions()
        assert len(nodes) == len(commands), file.name
        for node, expected in zip(nodes, commands):
            assert _go([flag.word.value for flag in node.flags]) == expected["flags"], (file.name, node.text)
            if isinstance(node, (Env, Label)) and not isinstance(node, Arg):
                flat = []
                for pair in node.pairs:
                    flat += [pair.name.value, pair.value.value, "" if pair.legacy else "="]
                assert _go(flat) == expected["next"], (file.name, node.text)
                words = [w for pair in node.pairs for w in (pair.name, pair.value)]
            elif isinstance(node, Arg):
                assert _go([p.name.value + ("=" + p.value.value if p.value else "") for p in node.pairs]) == expected["next"]
                words = [w for pair in node.pairs for w in (pair.name, pair.value) if w is not None]
            elif node.command in ("from", "copy", "add", "run", "cmd", "entrypoint", "shell", "user",
                                  "workdir", "expose", "volume", "maintainer", "stopsignal"):
                assert _go([w.value for w in node.words]) == expected["next"], (file.name, node.text)
                words = [] if node.is_json else list(node.words)
            else:
                continue
            for word in words + [flag.word for flag in node.flags]:
                if word.raw.isascii():  # a byte walk's value is per byte; its raw text is not
                    assert _source_text(file.text, node, word) == word.raw, (file.name, node.text, word)
            checked += 1
    assert checked > 5000


def test_from_fields() -> None:
    tree = pyenvc.parse("FROM --platform=$P \\\n  python:3.12 AS Build\n")
    node = tree.instructions()[0]
    assert isinstance(node, From)
    assert node.image.value == "python:3.12"
    assert node.stage_name.value == "Build"
    assert node.platform.value == "$P"
    text = tree.body[0].text
    assert text[node.image.span.start : node.image.span.end] == "python:3.12"


def test_a_from_with_two_words_has_no_stage_name() -> None:
    node = pyenvc.parse("FROM a AS\n").instructions()[0]
    assert node.stage_name is None and node.image.value == "a"


def test_copy_and_add_fields() -> None:
    copy, add = pyenvc.parse('FROM a\nCOPY --from=0 --chown=1:0 x y /d/\nADD ["u v", "/w"]\n').instructions()[1:]
    assert isinstance(copy, Copy) and isinstance(add, Add)
    assert [w.value for w in copy.sources] == ["x", "y"] and copy.destination.value == "/d/"
    assert copy.from_stage.value == "0" and copy.flag("chown").value == "1:0"
    assert add.is_json and [w.value for w in add.sources] == ["u v"] and add.destination.value == "/w"


def test_env_label_and_arg_pairs() -> None:
    env, legacy, label, arg = pyenvc.parse(
        'FROM a\nENV A=1 B="two words"\nENV C some value\nLABEL x=y\nARG N D=3\n'
    ).instructions()[1:]
    assert [(p.name.value, p.value.value) for p in env.pairs] == [("A", "1"), ("B", '"two words"')]
    assert legacy.pairs[0].legacy and legacy.pairs[0].value.value == "some value"
    assert [(p.name.value, p.value.value) for p in label.pairs] == [("x", "y")]
    assert [(p.name.value, p.value and p.value.value) for p in arg.pairs] == [("N", None), ("D", "3")]


def test_user_onbuild_and_run_mounts() -> None:
    text = "FROM a\nUSER  astro:0 \nONBUILD --x PYENV 3.8 n\nRUN --mount=type=cache,from=0,target=/c true\n"
    user, onbuild, run = pyenvc.parse(text).instructions()[1:]
    assert isinstance(user, User) and user.user.value == "astro:0"
    assert isinstance(onbuild, Onbuild) and onbuild.trigger_keyword.value == "PYENV"
    assert isinstance(run, Run)
    option = run.mounts[0].option("from")
    assert option.value == "0" and text[option.word.span.start : option.word.span.end] == "0"


def test_pyenv_fields() -> None:
    text = "FROM a\nPYENV --installer=uv 3.12 \\\n   etl\u00a0r.txt\n"
    node = pyenvc.parse(text).instructions()[1]
    assert isinstance(node, Pyenv)
    assert [(f.name, f.value) for f in node.flags] == [("installer", "uv")]
    assert (node.version.value, node.name.value, node.requirements.value) == ("3.12", "etl", "r.txt")
    assert text[node.name.span.start : node.name.span.end] == "etl"


# -- text generated from the grammar's own `arguments` rules --------------------------------------
# Each terminal's strategy writes the text of one token; a word-like one ends in a space, so that
# concatenation keeps the words apart, and pairs start with one.

word_text = st.one_of(
    st.sampled_from(["a", "b/c", "x.txt", "3.12", "--", "-x", "as", "AS", "é", "a\\ b", "'q s'", '"d q"', "$v", "${v:-d}"]),
    st.from_regex(r"[A-Za-z0-9_./:=@+-]{1,6}", fullmatch=True),
)
ARGUMENT_TERMINALS = {
    "KW_FROM": st.sampled_from(["FROM ", "from "]),
    "KW_COPY": st.sampled_from(["COPY ", "ADD "]),
    "KW_RUN": st.just("RUN "),
    "KW_COMMAND": st.sampled_from(["CMD ", "ENTRYPOINT ", "SHELL "]),
    "KW_NAME_VALUE": st.sampled_from(["ENV ", "LABEL "]),
    "KW_ARG": st.just("ARG "),
    "KW_LINE": st.sampled_from(["USER ", "WORKDIR ", "STOPSIGNAL ", "MAINTAINER "]),
    "KW_LIST": st.sampled_from(["EXPOSE ", "VOLUME "]),
    "KW_ONBUILD": st.just("ONBUILD "),
    "KW_HEALTHCHECK": st.just("HEALTHCHECK "),
    "KW_PYENV": st.just("PYENV "),
    "KW_OTHER": st.sampled_from(["FOO ", "PYEVN "]),
    "FLAG": st.builds(lambda n, v: f"--{n}{v} ", st.sampled_from(["from", "mount", "chown", "platform", "link"]),
                      st.sampled_from(["", "=0", "=x", "=type=cache,target=/c", '="a b"', "='q'", "=a\\ b"])),
    "WORD": word_text.map(lambda w: w + " "),
    "AS": st.sampled_from(["AS ", "as "]),
    "HEREDOC_MARKER": st.just(""),  # a marker needs a body after the line: the parser tests have them
    "JSON_OPEN": st.just("["),
    "JSON_STRING": st.text(st.sampled_from(list("ab \"\\/é$")), max_size=4).map(json.dumps),
    "JSON_COMMA": st.just(", "),
    "JSON_CLOSE": st.just("] "),
    "SHELL_TEXT": st.lists(word_text, min_size=1, max_size=3).map(" ".join),
    "PAIR_NAME": st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}", fullmatch=True).map(lambda n: " " + n),
    "PAIR_VALUE": word_text.map(lambda v: "=" + v.replace("=", "")),
    "LEGACY_VALUE": st.lists(word_text, min_size=1, max_size=3).map(lambda ws: " " + " ".join(ws)),
    "LINE": word_text,
    "KIND": st.sampled_from(["CMD ", "NONE "]),
}


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(from_lark(grammar(cached=False), start="arguments", explicit=ARGUMENT_TERMINALS))
@example("FROM a AS b ")
@example('HEALTHCHECK CMD ["x", "y"] ')
@example("ONBUILD COPY --from=0 a b ")
def test_instructions_from_the_grammar_read_as_buildkit_reads_them(line: str) -> None:
    """Every instruction the `arguments` rules generate either fails in pyenvc's parser and in
    BuildKit's alike, or gives the same keyword, flags and words in both."""
    text = "FROM base\n" + line.rstrip(" ") + "\n"
    try:
        (_, node) = pyenvc.parse(text).instructions()
    except pyenvc.ParseError:
        with pytest.raises(Exception):
            dockerfile.parse_string(text)
        return
    (_, command) = dockerfile.parse_string(text)
    assert node.keyword == command.cmd
    if isinstance(node, Pyenv):
        return  # pyenvc's own instruction: its words follow its own rules (test_pyenv_fields)
    assert [flag.word.value for flag in node.flags] == list(command.flags)
    if node.command == "onbuild":
        assert (node.trigger_keyword.value if node.trigger_keyword else None) == command.sub_cmd
    elif isinstance(node, (Env, Label)) and not isinstance(node, Arg):
        assert [v for p in node.pairs for v in (p.name.value, p.value.value)] == list(command.value)
    elif isinstance(node, Arg):
        assert [p.name.value + ("=" + p.value.value if p.value else "") for p in node.pairs] == list(command.value)
    elif node.command in KNOWN_WORDS:
        assert [w.value for w in node.words] == list(command.value)
        assert node.is_json == command.json
    if isinstance(node, From):
        named = len(command.value) == 3 and command.value[1].lower() == "as"
        assert (node.stage_name.value if node.stage_name else None) == (command.value[2] if named else None)


KNOWN_WORDS = {"from", "copy", "add", "run", "cmd", "entrypoint", "shell", "user", "workdir", "expose", "volume",
               "maintainer", "stopsignal", "healthcheck"}
