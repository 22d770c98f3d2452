"""Differential fuzzing: pyenvc's view of a Dockerfile against BuildKit's own Go parser.

    pip install -e '.[fuzz,bench]'
    python fuzz/fuzz_differential.py -max_total_time=600 WORKDIR [SEEDS...]

The PyPI package `dockerfile` wraps BuildKit's Go parser. For every input both accept, the
instructions, flags, split arguments, JSON form, line ranges and heredocs must agree, and
both must accept or reject the same inputs. The binding passes C strings and reports less
than the corpus does, so the comparison leaves out what it cannot carry: inputs with NUL or
bytes that are not UTF-8, the separators of ENV and LABEL, and messages of errors.
"""

from __future__ import annotations

import re
import sys

import atheris

with atheris.instrument_imports():
    import pyenvc

import dockerfile

# Where the corpus (BuildKit of 2026-08) shows the binding's older BuildKit differs:
# `<<` followed by white space (also after a continuation) opens a heredoc
# (synthetic/heredoc_space_delim); the escape
# character inside a flag is the file's, not always `\` (synthetic/flags_escape_backtick);
# `# check=` is a directive (synthetic/check_then_escape); a JSON array followed by text is
# shell form (buildkit-testfiles/jeztah-invalid-json-*), also across a continuation; the shell
# lexer knows `${v/p/r}`, `${v#p}` and `${v%p}` (BuildKit's shell/lex.go of 2025; the
# binding's lexer fails on them, and a line it cannot lex names no heredocs).
_NEWER_BUILDKIT = re.compile(
    r"<<-?(?:[ \t\r]|[\\`]\r?\n)|--[^\s]*`|escape\s*=\s*`.*--|#\s*check\s*=|\][ \t]*[^ \t\n]|\$\{\w*[/#%]", re.IGNORECASE | re.DOTALL
)
_KNOWN = frozenset(
    "add arg cmd copy entrypoint env expose from healthcheck label maintainer onbuild "
    "run shell stopsignal user volume workdir".split()
)


def ours(text: str) -> list[tuple] | None:
    try:
        view = pyenvc.to_buildkit(pyenvc.parse(text))
    except pyenvc.ParseError:
        return None
    commands = []
    for command in view["commands"]:
        name = (command["sub_cmd"] or command["cmd"]).lower()
        words = command["next"]
        if name in ("env", "label"):  # the binding drops the separators
            words = [word for index, word in enumerate(words) if index % 3 != 2]
        if command["sub_cmd"] is None and name not in _KNOWN:
            words = [""]
        words = [word.split("\x00")[0] for word in words]  # the binding's C strings end at NUL
        commands.append((command["cmd"], command["sub_cmd"], words, command["flags"], command["start_line"],
                         command["end_line"], command["json"],
                         [(h["name"], h["content"]) for h in command["heredocs"]]))
    return commands


def theirs(text: str) -> list[tuple] | None:
    try:
        parsed = dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return None
    return [(c.cmd or "", c.sub_cmd, list(c.value), list(c.flags), c.start_line, c.end_line, c.json,
             [(h.name, h.content) for h in c.heredocs]) for c in parsed]


def check(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if "\x00" in text or _NEWER_BUILDKIT.search(text):
        return
    mine, buildkit = ours(text), theirs(text)
    if mine != buildkit:  # (an empty keyword comes back from the binding as None)
        raise AssertionError(f"pyenvc and BuildKit disagree on {text!r}:\n  pyenvc:   {mine}\n  BuildKit: {buildkit}")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
