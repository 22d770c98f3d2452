"""BuildKit's line scanner, as the token stream for the Lark grammar.

Which bytes form one token depends on context that no regular expression in the grammar can
carry: the escape character set by a directive, whether the previous line ended in a
continuation, and the heredoc delimiters named on an instruction line. This step follows
BuildKit's `Parse` loop (frontend/dockerfile/parser/parser.go) and yields line-level tokens
whose texts, concatenated, are the input exactly:

    BOM          the U+FEFF that opens the file
    DIRECTIVE    one parser directive line (`# escape=``), honoured by BuildKit
    TRIVIA       a run of comment and blank lines between instructions
    INSTRUCTION  an instruction line with its continuation lines, and the comment and blank
                 lines inside the continuation
    PYENV        the same, for a PYENV instruction
    HEREDOC      one heredoc body with its terminator line

Each token carries the syntax node it stands for (`token.node`). Extents are found with one
regular expression per statement (they cannot backtrack beyond a line); the logical line of an
instruction is only joined where something needs it (see lines.py).
"""

from __future__ import annotations

import functools
import re
from typing import Iterator

from lark.lexer import Lexer, Token

from pyenvc import buildkit, gotext, shell
from pyenvc.diagnostics import Diagnostic
from pyenvc.lines import trim_newline
from pyenvc.source import Source
from pyenvc.syntax import Bom, Directive, Heredoc, Instruction, Pyenv, Span, Trivia

MAX_LINE_BYTES = 65535  # bufio.MaxScanTokenSize - 1, newline not counted
DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_H = "[" + gotext.SPACE_CHARS.replace("\n", "") + "]"  # Go's white space, but a line break
# A run of blank lines and comment lines (first non-blank character `#`).
_TRIVIA = re.compile(f"(?:{_H}*(?:#[^\\n]*)?\\n)+(?:{_H}*#[^\\n]*\\Z|{_H}+\\Z)?|{_H}*#[^\\n]*\\Z|{_H}+\\Z")
# A line long enough that its UTF-8 bytes may pass BuildKit's limit.
_LONG_LINE = re.compile(f"[^\\n]{{{MAX_LINE_BYTES // 4 + 1},}}")
# Where the keyword can be read off the first line without joining continuations.
_KEYWORD = re.compile(f"{_H}*([^\\t\\v\\f\\r \\n]+)[\\t\\v\\f\\r ]")
# After the keyword: white space (Go's, and the lone bytes 0x85 and 0xA0 that its byte-wise
# flag walk also takes for spaces), flags, then `[` where the arguments may be JSON.
_SKIPPED = "(?:" + _H + "|[\udc85\udca0])"
_ARGUMENTS = re.compile(f"{_SKIPPED}*(?:--[^\\t\\v\\f\\r \\n'\"]*[\\t\\v\\f\\r ]+{_SKIPPED}*)*(\\[)?")
# Instructions whose arguments BuildKit's parser may reject, and whose logical line must
# therefore always be read; the others only when `[` or `<<` appears.
_SUBCOMMANDS = frozenset({"onbuild", "healthcheck"})
_NAME_VALUES = frozenset({"env", "label"})
_JSON_FORMS = frozenset({"run", "cmd", "entrypoint", "shell", "add", "copy", "volume"})


@functools.lru_cache(maxsize=None)
def _instruction_pattern(escape: str) -> re.Pattern:
    """One instruction's physical lines: a line ending in a continuation, then comment,
    blank and continuing lines, then the line that ends it (or the end of the file)."""
    e = re.escape(escape)
    continues = f"[^\\n]*(?<!{e}){e}[ \\t]*\\r*\\n"
    return re.compile(
        f"{continues}(?:{_H}*#[^\\n]*\\n|{_H}*\\n|{continues})*[^\\n]*\\n?"
        f"|[^\\n]*\\n?"
    )


class ParseError(Exception):
    """The file is one BuildKit's parser rejects. `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0]
        super().__init__(f"{first.line}:{first.column}: {first.message}")


class NodeToken(Token):
    """A token that carries the syntax node built for its text."""


def _token(kind: str, node: object) -> NodeToken:
    # Token.__new__ does work (deprecated-argument handling) that a hot loop can skip
    token = str.__new__(NodeToken, node.text)
    token.type = kind
    token.value = node.text
    token.start_pos = node.start
    token.line = token.column = token.end_line = token.end_column = token.end_pos = None
    token.node = node
    return token


def _error(text: str, span: Span, code: str, message: str, hint: str | None = None) -> ParseError:
    return ParseError([Diagnostic.at(Source(text), span, code, message, hint)])


def _check_line_lengths(text: str) -> None:
    """bufio.Scanner refuses a line of more than 65535 bytes (65536 with its newline)."""
    for match in _LONG_LINE.finditer(text):
        size = len(gotext.to_bytes(match.group()))
        has_newline = match.end() < len(text)
        if size + has_newline > MAX_LINE_BYTES + 1 or (size == MAX_LINE_BYTES + 1):
            raise _error(text, Span(match.start(), match.end()), "DF005",
                         f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}",
                         "split the line with continuation lines")


def _parse_directive(line: str) -> tuple[str, str] | None:
    """DirectiveParser.ParseLine: `#`, white space, `name=value`, for a known name."""
    stripped = gotext.lstrip(trim_newline(line))
    if not stripped.startswith("#"):
        return None
    match = _DIRECTIVE.match(gotext.lstrip(stripped[1:]))
    if not match or match.group(1).lower() not in DIRECTIVE_NAMES:
        return None
    return match.group(1).lower(), match.group(2)


def _directives(text: str, pos: int) -> Iterator[tuple[Directive, int]]:
    """The directive lines at the top of the file, and where each ends."""
    seen: set[str] = set()
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        line = text[pos:end]
        directive = _parse_directive(line)
        if directive is None:
            return
        name, value = directive
        span = Span(pos, pos + len(trim_newline(line)))
        if name in seen:
            raise _error(text, span, "DF003", f"only one {name} parser directive can be used",
                         f"remove the second `# {name}=` line")
        seen.add(name)
        if name == "escape" and value not in ("\\", "`"):
            raise _error(text, span, "DF004", f"invalid escape token '{value}' does not match ` or \\",
                         "use `# escape=\\` or `# escape=``")
        yield Directive(line, pos, name, value), end
        pos = end


def _keyword(node_text: str, escape: str) -> tuple[str | None, int]:
    """The keyword, when the first line shows it whole (None when continuations must be
    joined), and where its arguments start."""
    match = _KEYWORD.match(node_text)
    if (
        match is None
        or escape in match.group(1)
        or "\n" in match.group()
        or gotext.is_space(match.group(1)[-1])  # TrimSpace may take it when nothing follows
    ):
        return None, 0
    return match.group(1), match.end()


def _maybe_json(node_text: str, arguments: int, escape: str) -> bool:
    """False where the first line shows the arguments are not a JSON array: they start
    (after any flags) with something other than `[`. True where only joining can tell."""
    match = _ARGUMENTS.match(node_text, arguments)
    return match.group(1) is not None or node_text[match.end() : match.end() + 1] in ("", escape, "\n", "-")


def scan(text: str) -> Iterator[NodeToken]:
    """Yield the tokens of `text`, or raise ParseError where BuildKit would fail."""
    if len(text) > MAX_LINE_BYTES // 4:
        _check_line_lengths(text)
    pos = 0
    if text.startswith("\ufeff"):
        yield _token("BOM", Bom("\ufeff", 0))
        pos = 1
    escape = "\\"
    for directive, pos in _directives(text, pos):
        if directive.name == "escape":
            escape = directive.value
        yield _token("DIRECTIVE", directive)

    trivia = _TRIVIA.match
    instruction = _instruction_pattern(escape).match
    length = len(text)
    instructions = 0
    while pos < length:
        match = trivia(text, pos)
        if match is not None:
            yield _token("TRIVIA", Trivia(match.group(), pos))
            pos = match.end()
            continue
        match = instruction(text, pos)
        node_text = match.group()
        keyword, arguments = _keyword(node_text, escape)
        node = Instruction(node_text, pos, keyword or "", escape)
        parsed = None
        if keyword is None:
            parsed = _parse(text, node)
            node = Instruction(node_text, pos, parsed.command.keyword, escape, (), node._joined)
        command = node.command
        if parsed is None:
            if command in _JSON_FORMS and ("<<" in node_text or _maybe_json(node_text, arguments, escape)) or command in _SUBCOMMANDS:
                parsed = _parse(text, node)
            elif command in _NAME_VALUES:
                _check(text, node)
        if command == "pyenv":
            node = Pyenv(node.text, pos, node.keyword, escape, (), node._joined)
        yield _token("PYENV" if command == "pyenv" else "INSTRUCTION", node)
        pos = match.end()
        instructions += 1
        if parsed is not None and "<<" in node_text and buildkit.can_contain_heredoc(parsed):
            try:
                specs = buildkit.heredocs_in(node.logical)
            except shell.ShellSyntaxError as problem:
                raise _error(text, _span(node), "DF009", str(problem)) from None
            opener = -1
            for spec in specs:
                opener = node.logical.find("<<", opener + 1)
                at = node.source_offset(max(opener, 0))
                heredoc = _read_heredoc(text, pos, spec, Span(at, at + 2))
                pos += len(heredoc.text)
                yield _token("HEREDOC", heredoc)
    if instructions == 0:
        raise _error(text, Span(length, length), "DF001", "file with no instructions",
                     "add an instruction such as `FROM <image>`")


def _span(node: Instruction) -> Span:
    """From the keyword to the end of the instruction's lines."""
    return Span(node.source_offset(0), node.start + len(node.text))


def _parse(text: str, node: Instruction) -> buildkit.Parsed:
    try:
        return buildkit.parse_instruction(node.logical, node.escape)
    except buildkit.BuildKitError as problem:
        raise _error(text, _span(node), problem.code, str(problem)) from None


def _check(text: str, node: Instruction) -> None:
    try:
        buildkit.check_instruction(node.logical, node.escape)
    except buildkit.BuildKitError as problem:
        raise _error(text, _span(node), problem.code, str(problem)) from None


def _read_heredoc(text: str, start: int, spec: buildkit.HeredocSpec, opener: Span) -> Heredoc:
    """Take body lines up to the one equal to the delimiter (after `<<-` strips tabs)."""
    pos = start
    while True:
        if pos >= len(text):
            raise _error(text, opener, "DF002", "unterminated heredoc",
                         f"end the heredoc with a line that is exactly `{spec.name}`")
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        candidate = trim_newline(text[pos:end])
        if spec.chomp:
            candidate = candidate.lstrip("\t")
        if candidate == spec.name:
            break
        pos = end
    return Heredoc(
        text=text[start:end],
        start=start,
        name=spec.name,
        file_descriptor=spec.file_descriptor,
        expand=spec.expand,
        chomp=spec.chomp,
        content=text[start:pos],
    )


class DockerfileLexer(Lexer):
    """Lark's side of the scanner: `lex` receives the whole text."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        return scan(data)
