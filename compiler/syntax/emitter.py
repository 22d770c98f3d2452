"""Generated instructions: built as nodes, rendered by one emitter, read back before use.

In: a `NewInstruction` (keyword, flags, and either shell-form words or an exec-form argv) and
the file's escape character. Out: one line of text that BuildKit's parser reads back as exactly
those flags and words, or `Unrepresentable` when no such line exists. The one exception to one
line is a COPY's heredoc (inline requirements): its quoted delimiter, the body lines as they
are, the terminator line.

Nothing is pasted: every value is checked for what BuildKit would read differently (white space
as Go sees it, quotes, the escape character, `$`, a comma inside a mount option, a word that would
start a flag, JSON or a heredoc), and the rendered line is then parsed again with BuildKit's own
rules (docker/buildkit.py) and compared with what was meant. Values that go into a shell script
are quoted for `/bin/sh` where the script is made (lowering/generate.py), not here.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple, Optional, Union

from pyenvc.docker import buildkit, gotext
from pyenvc.syntax.lines import trim_newline

MAX_LINE_BYTES = 65535  # BuildKit's scanner refuses longer lines
# What a shell-form word or a flag value may not hold: Go's white space (and the lone bytes a
# byte walk takes for it), quotes, `$` (BuildKit expands variables in most instructions' words),
# NUL and surrogates (bytes that are not UTF-8).
_UNSAFE = re.compile(f"[{gotext.SPACE_CHARS}\"'$\\x00\\ud800-\\udfff]")
_UNSAFE_ARGV = re.compile("[\\x00\\ud800-\\udfff]")


class Unrepresentable(ValueError):
    """A value that BuildKit would not read back as the one intended."""


class TooLong(Unrepresentable):
    """A generated line longer than BuildKit's scanner takes."""

    def __init__(self, line: str, keyword: str = "") -> None:
        what = f"generated {keyword} line" if keyword else "generated line"
        size = len(gotext.to_bytes(line))
        super().__init__(f"a {what} would be {size} bytes, longer than BuildKit's limit of {MAX_LINE_BYTES}")
        self.line = line  # the line as it would be written


MountOptions = tuple[tuple[str, str], ...]
FlagValue = Union[None, str, MountOptions]


class Verbatim(NamedTuple):
    """A word or flag copied from the user's own line: written as they wrote it, and read back
    as BuildKit read it there (their variables and quotes are theirs to keep)."""

    raw: str  # as written in the user's logical line
    value: str  # what BuildKit read from it


class NewInstruction(NamedTuple):
    """An instruction the lowering writes. `words` is the shell form; `argv` the exec form."""

    keyword: str  # upper case, as written out
    flags: tuple[Union[tuple[str, FlagValue], Verbatim], ...] = ()  # (name, value); a mount's value is its options
    words: tuple[Union[str, Verbatim], ...] = ()  # shell form: COPY sources and destination, FROM image, USER, ENV K=V
    argv: Optional[tuple[str, ...]] = None  # exec form (JSON), for RUN
    heredoc: Optional[tuple[str, str]] = None  # COPY <<'DELIM': (DELIM, the body lines), never expanded

    def render(self, escape: str = "\\", eol: str = "\n") -> str:
        return render(self, escape, eol)


def check_word(value: str, what: str, escape: str) -> None:
    """Raise Unrepresentable where a shell-form word or flag value would not be read as written."""
    if not value:
        raise Unrepresentable(f"{what} is empty")
    found = _UNSAFE.search(value)
    if found is not None:
        raise Unrepresentable(f"{what} '{value}' holds {_describe(found.group())}, which BuildKit would read differently")
    if escape in value:
        raise Unrepresentable(f"{what} '{value}' holds the escape character {escape!r}")


def _describe(char: str) -> str:
    if char in "\"'":
        return "a quote"
    if char == "$":
        return "'$'"
    return f"the character U+{ord(char):04X}"


def _flag_text(name: str, value: FlagValue, escape: str) -> str:
    if value is None:
        return f"--{name}"
    if isinstance(value, tuple):  # a mount: key=value options, comma-separated (CSV)
        parts = []
        for key, option in value:
            check_word(option, f"mount option {key}", escape)
            if "," in option or "=" in key:
                raise Unrepresentable(f"mount option {key} '{option}' holds a comma, which would start another option")
            parts.append(f"{key}={option}")
        return f"--{name}=" + ",".join(parts)
    check_word(value, f"--{name} value", escape)
    return f"--{name}={value}"


def _value(item: Union[str, Verbatim]) -> str:
    return item.value if isinstance(item, Verbatim) else item


def heredoc_delimiter(body: str, base: str = "EOF") -> str:
    """A delimiter no line of `body` equals (BuildKit ends a heredoc at such a line)."""
    lines = {trim_newline(line) for line in body.split("\n")}
    delimiter, n = base, 0
    while delimiter in lines:
        n += 1
        delimiter = f"{base}_{n}"
    return delimiter


def render(node: NewInstruction, escape: str = "\\", eol: str = "\n") -> str:
    flags, read = [], []
    for flag in node.flags:
        if isinstance(flag, Verbatim):
            flags.append(flag.raw)
            read.append(flag.value)
        else:
            flags.append(_flag_text(*flag, escape))
            read.append(flags[-1])
    if node.argv is not None:
        for item in node.argv:
            if _UNSAFE_ARGV.search(item):
                raise Unrepresentable(f"argument '{item}' holds a NUL or a byte that is not UTF-8")
        arguments = json.dumps(list(node.argv), ensure_ascii=False)
    else:
        for index, word in enumerate(node.words):
            if isinstance(word, Verbatim):
                continue
            check_word(word, f"{node.keyword} argument", escape)
            if index == 0 and (word.startswith("-") or word.startswith("[")):
                raise Unrepresentable(f"{node.keyword} argument '{word}' would be read as a flag or JSON")
            if "<<" in word:
                raise Unrepresentable(f"{node.keyword} argument '{word}' would be read as a heredoc")
        arguments = " ".join(w.raw if isinstance(w, Verbatim) else w for w in node.words)
    line = " ".join([node.keyword, *flags, arguments]) if arguments else " ".join([node.keyword, *flags])
    if len(line) > MAX_LINE_BYTES // 4 and len(gotext.to_bytes(line)) > MAX_LINE_BYTES:
        raise TooLong(line, node.keyword)
    _read_back(node, line, read, escape)
    if node.heredoc is not None:
        return line + eol + _heredoc_lines(*node.heredoc)
    return line


def _heredoc_lines(delimiter: str, body: str) -> str:
    """The body and its terminator line: the body must end its last line, and no line of it
    may end the heredoc early."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", delimiter) or heredoc_delimiter(body, delimiter) != delimiter:
        raise Unrepresentable(f"heredoc delimiter '{delimiter}' is not plain or is a line of the body")
    if body and not body.endswith("\n"):
        raise Unrepresentable("a heredoc body must end with a line ending")
    return body + delimiter


def _read_back(node: NewInstruction, line: str, flags: list[str], escape: str) -> None:
    """Parse the line with BuildKit's rules: it must give exactly the flags and words meant."""
    try:
        parsed = buildkit.parse_instruction(line, escape)
    except buildkit.BuildKitError as problem:
        raise Unrepresentable(f"BuildKit would reject the generated line: {problem}") from None
    if node.argv is not None:
        expected, is_json = list(node.argv), True
    elif node.keyword.lower() == "env":
        expected = []
        for word in node.words:
            key, _eq, value = _value(word).partition("=")
            expected += [key, value, "="]
        is_json = False
    elif node.keyword.lower() in ("user", "workdir"):
        expected, is_json = [" ".join(map(_value, node.words))], False
    else:
        expected, is_json = [_value(w) for w in node.words], False
    if parsed.command.flags != flags or parsed.next != expected or parsed.json != is_json:
        raise Unrepresentable(f"BuildKit would not read the generated line as meant: {line}")
