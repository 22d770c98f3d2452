"""BuildKit's line scanner, as the token stream for the Lark grammar.

Which bytes form one token depends on context that no regular expression in the grammar can
carry: the escape character set by a directive, whether the previous line ended in a
continuation, and the heredoc delimiters named on an instruction line. This step follows
BuildKit's `Parse` loop (frontend/dockerfile/parser/parser.go) line by line and yields
line-level tokens whose texts, concatenated, are the input exactly:

    BOM          the U+FEFF that opens the file
    DIRECTIVE    one parser directive line (`# escape=``), honoured by BuildKit
    TRIVIA       a run of comment and blank lines between instructions
    INSTRUCTION  an instruction line with its continuation lines, and the comment and blank
                 lines inside the continuation
    PYENV        the same, for a PYENV instruction
    HEREDOC      one heredoc body with its terminator line

Each token carries the syntax node it stands for (`token.node`), so no byte is re-read later.
"""

from __future__ import annotations

import re
from typing import Iterator

from lark.lexer import Lexer, Token

from pyenvc import buildkit, gotext
from pyenvc.diagnostics import Diagnostic
from pyenvc.source import Source
from pyenvc.syntax import Bom, Directive, Heredoc, Instruction, Pyenv, Span, Trivia

MAX_LINE_BYTES = 65535  # bufio.MaxScanTokenSize - 1, newline not counted
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_CONTINUATION = {
    escape: re.compile(f"([^{re.escape(escape)}]){re.escape(escape)}[ \\t]*\\Z|\\A{re.escape(escape)}[ \\t]*\\Z")
    for escape in ("\\", "`")
}
DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})


class ParseError(Exception):
    """The file is one BuildKit's parser rejects. `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0]
        super().__init__(f"{first.line}:{first.column}: {first.message}")


class NodeToken(Token):
    """A token that carries the syntax node built for its text."""


def _token(kind: str, node: object) -> NodeToken:
    token = NodeToken(kind, node.text)
    token.node = node
    return token


def _trim_newline(line: str) -> str:
    """bytes.TrimRight(line, "\\r\\n")"""
    return line.rstrip("\r\n")


class _Lines:
    """The physical lines of the text: each with its line ending, as bufio.Scanner gives them."""

    def __init__(self, source: Source, start: int) -> None:
        self.text = source.text
        self.source = source
        self.pos = start
        self.number = 0  # 1-based number of the line last taken

    def next(self) -> tuple[str, int] | None:
        """The next line and its offset, or None at the end."""
        text, pos = self.text, self.pos
        if pos >= len(text):
            return None
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end + 1
        line = text[pos:end]
        if end - pos > MAX_LINE_BYTES // 4 and _too_long(line):
            raise _error(
                self.source, Span(pos, end), "DF005",
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}",
                "split the line with continuation lines",
            )
        self.pos = end
        self.number += 1
        return line, pos


def _too_long(line: str) -> bool:
    size = len(gotext.to_bytes(line))
    return size > MAX_LINE_BYTES + 1 or (size == MAX_LINE_BYTES + 1 and not line.endswith("\n"))


def _error(source: Source, span: Span, code: str, message: str, hint: str | None = None) -> ParseError:
    return ParseError([Diagnostic.at(source, span, code, message, hint)])


def _parse_directive(stripped: str) -> tuple[str, str] | None:
    """DirectiveParser.ParseLine: `#`, white space, `name=value`, for a known name."""
    if not stripped.startswith("#"):
        return None
    match = _DIRECTIVE.match(gotext.lstrip(stripped[1:]))
    if not match or match.group(1).lower() not in DIRECTIVE_NAMES:
        return None
    return match.group(1).lower(), match.group(2)


def scan(source: Source) -> Iterator[NodeToken]:
    """Yield the tokens of `source`, or raise ParseError where BuildKit would fail."""
    text = source.text
    start = 0
    if text.startswith("\ufeff"):
        yield _token("BOM", Bom("\ufeff", 0))
        start = 1
    lines = _Lines(source, start)
    escape = "\\"
    continuation = _CONTINUATION[escape]
    seen_directives: set[str] = set()
    directives_done = False
    trivia_start = -1  # where the pending run of comment and blank lines began
    instructions = 0

    while True:
        taken = lines.next()
        if taken is None:
            break
        line, offset = taken
        content = _trim_newline(line)
        stripped = gotext.lstrip(content)

        if not directives_done:
            directive = _parse_directive(stripped)
            if directive is None:
                directives_done = True
            else:
                name, value = directive
                span = Span(offset, offset + len(content))
                if name in seen_directives:
                    raise _error(source, span, "DF003", f"only one {name} parser directive can be used",
                                 f"remove the second `# {name}=` line")
                seen_directives.add(name)
                if name == "escape":
                    if value not in ("\\", "`"):
                        raise _error(source, span, "DF004",
                                     f"invalid escape token '{value}' does not match ` or \\",
                                     "use `# escape=\\` or `# escape=``")
                    escape = value
                    continuation = _CONTINUATION[escape]
                yield _token("DIRECTIVE", Directive(line, offset, name, value))
                continue

        if stripped.startswith("#"):
            body, continues = "", False
        else:
            match = continuation.search(stripped)
            body, continues = stripped, False
            if match:
                body, continues = stripped[: match.start()] + (match.group(1) or ""), True
        if not continues and not body:  # a comment or blank line
            if trivia_start < 0:
                trivia_start = offset
            continue

        if trivia_start >= 0:
            yield _token("TRIVIA", Trivia(text[trivia_start:offset], trivia_start))
            trivia_start = -1

        # An instruction: its first line, then continuation lines until one does not continue.
        logical = [body]
        origins = [(0, offset + len(content) - len(stripped))]
        length = len(body)
        has_empty = False
        while continues:
            taken = lines.next()
            if taken is None:
                break
            line, line_offset = taken
            content = _trim_newline(line)
            inner = gotext.lstrip(content)
            if inner.startswith("#"):
                continue
            if not inner:
                has_empty = True
                continue
            match = continuation.search(content)
            piece, continues = content, False
            if match:
                piece, continues = content[: match.start()] + (match.group(1) or ""), True
            origins.append((length, line_offset))
            logical.append(piece)
            length += len(piece)
        end = lines.pos
        logical_line = "".join(logical)
        span = Span(origins[0][1], end)
        try:
            parsed = buildkit.parse_instruction(logical_line, escape)
        except buildkit.BuildKitError as problem:
            raise _error(source, span, problem.code, str(problem)) from None
        instructions += 1

        kind = "PYENV" if parsed.command.keyword.lower() == "pyenv" else "INSTRUCTION"
        node_class = Pyenv if kind == "PYENV" else Instruction
        node = node_class(
            text=text[offset:end],
            start=offset,
            keyword=parsed.command.keyword,
            logical=logical_line,
            origins=tuple(origins),
            has_empty_continuation=has_empty,
        )
        yield _token(kind, node)
        if "<<" in logical_line and buildkit.can_contain_heredoc(parsed):
            try:
                specs = buildkit.heredocs_in(logical_line)
            except buildkit.ShellSyntaxError as problem:
                raise _error(source, span, "DF009", str(problem)) from None
            opener = -1
            for spec in specs:
                opener = logical_line.find("<<", opener + 1)
                at = node.source_offset(max(opener, 0))
                yield _read_heredoc(lines, spec, source, Span(at, at + 2))

    if trivia_start >= 0:
        yield _token("TRIVIA", Trivia(text[trivia_start:], trivia_start))
    if instructions == 0:
        end = len(text)
        raise _error(source, Span(end, end), "DF001", "file with no instructions",
                     "add an instruction such as `FROM <image>`")


def _read_heredoc(lines: _Lines, spec: buildkit.HeredocSpec, source: Source, opener: Span) -> NodeToken:
    """Take body lines up to the one equal to the delimiter (after `<<-` strips tabs)."""
    start = lines.pos
    body_end = start
    while True:
        taken = lines.next()
        if taken is None:
            raise _error(source, opener, "DF002", "unterminated heredoc",
                         f"end the heredoc with a line that is exactly `{spec.name}`")
        line, offset = taken
        candidate = _trim_newline(line)
        if spec.chomp:
            candidate = candidate.lstrip("\t")
        if candidate == spec.name:
            break
        body_end = lines.pos
    text = source.text
    node = Heredoc(
        text=text[start:lines.pos],
        start=start,
        name=spec.name,
        file_descriptor=spec.file_descriptor,
        expand=spec.expand,
        chomp=spec.chomp,
        content=text[start:body_end],
    )
    return _token("HEREDOC", node)


class DockerfileLexer(Lexer):
    """Lark's side of the scanner: `lex` receives the whole text."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        return scan(Source(data))
