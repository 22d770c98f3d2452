"""BuildKit's line scanner, as the token stream for the Lark grammar.

Which bytes form one token depends on context that no regular expression in the grammar can
carry: the escape character set by a directive, whether the previous line ended in a
continuation, and the heredoc delimiters named on an instruction line. This step follows
BuildKit's `Parse` loop (frontend/dockerfile/parser/parser.go) and makes line-level tokens
whose texts, concatenated, are the input exactly:

    BOM          the U+FEFF that opens the file
    DIRECTIVE    one parser directive line (`# escape=``), honoured by BuildKit
    INSTRUCTION  an instruction line with its continuation lines, and the comment and blank
                 lines inside the continuation
    PYENV        the same, for a PYENV instruction
    HEREDOC      one heredoc body with its terminator line (also a PYENV's, which pyenvc
                 reads itself: BuildKit reads none for an instruction it does not know)
    TRIVIA       the comment and blank lines after the last instruction

Each token carries the syntax node it stands for (`token.node`); an INSTRUCTION or PYENV
token also carries the run of comment and blank lines before it (`token.prefix`), so that
Lark's loop runs once per instruction. One regular expression per statement finds the
trivia, the instruction's lines and its keyword (it cannot backtrack beyond a line).
BuildKit's full rules for the arguments (parse_instruction) run only where BuildKit could
reject them or heredocs may follow and a shortcut cannot vouch for them; the logical line
is only joined where something needs it (see lines.py).
"""

from __future__ import annotations

import functools
import re
from typing import Iterator

from pyenvc.docker import buildkit
from pyenvc.docker import gotext
from pyenvc.docker import shell
from pyenvc.diagnostics import Diagnostic
from pyenvc.syntax.encoding import foreign_encoding
from pyenvc.syntax.lines import trim_newline
from pyenvc.source import Source, Span
from pyenvc.syntax.tree import Bom, Directive, Heredoc, Instruction, Trivia, instruction_class

MAX_LINE_BYTES = 65535  # bufio.MaxScanTokenSize - 1, newline not counted
DIRECTIVE_NAMES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_H = "[" + gotext.SPACE_CHARS.replace("\n", "") + "]"  # Go's white space, but a line break
# A run of blank lines and comment lines (first non-blank character `#`).
_TRIVIA = f"(?:{_H}*(?:#[^\\n]*)?\\n)+(?:{_H}*#[^\\n]*\\Z|{_H}+\\Z)?|{_H}*#[^\\n]*\\Z|{_H}+\\Z"
# A line whose first character that is not white space is `#`.
_COMMENT_FIRST = re.compile(f"{_H}*#")
# A line long enough that its UTF-8 bytes may pass BuildKit's limit. Anchored at line starts:
# unanchored, each position of a line just short of it would be tried (quadratic).
_LONG_LINE = re.compile(f"^[^\\n]{{{MAX_LINE_BYTES // 4 + 1},}}", re.MULTILINE)
# Where the keyword can be read off the first line without joining continuations.
_KEYWORD = re.compile(f"{_H}*([^\\t\\v\\f\\r \\n]+)[\\t\\v\\f\\r ]")
# After the keyword: white space (Go's, and the lone bytes 0x85 and 0xA0 that its byte-wise
# flag walk also takes for spaces), flags, then `[` where the arguments may be JSON.
_SKIPPED = "(?:" + _H + "|[\udc85\udca0])"
_ARGUMENTS = re.compile(f"{_SKIPPED}*(?:--[^\\t\\v\\f\\r \\n'\"]*[\\t\\v\\f\\r ]+{_SKIPPED}*)*(\\[)?")
# What BuildKit's parser may reject in an instruction's arguments, by command, and so what
# must be ruled out before its full rules are skipped: nothing (the default); a JSON array of
# non-strings; that too, and heredocs may follow; a bad name=value list. ONBUILD and
# HEALTHCHECK always get the full rules.
_NO_CHECK, _JSON_CHECK, _HEREDOC_CHECK, _NAME_VALUE_CHECK, _FULL_CHECK = range(5)
_ARGUMENT_CHECKS = {
    **dict.fromkeys(["cmd", "entrypoint", "shell", "volume"], _JSON_CHECK),
    **dict.fromkeys(buildkit.HEREDOC_COMMANDS, _HEREDOC_CHECK),
    **dict.fromkeys(["env", "label"], _NAME_VALUE_CHECK),
    **dict.fromkeys(["onbuild", "healthcheck"], _FULL_CHECK),
}
# The checks that arguments starting with a plain character (no flag, no `[`) always pass.
_PLAIN_SUFFICES = frozenset({_JSON_CHECK, _HEREDOC_CHECK})
# The shortcut's verdicts (see _shortcut).
_UNSURE, _ACCEPTED, _ACCEPTED_WITH_HEREDOCS = range(3)
# A JSON array whose items, if it decodes at all, are all strings; then white space, the end
# of the line. (BuildKit decodes the arguments as JSON; only an array of non-strings fails.)
_JSON_STRING = r'"(?:[^"\\\n]|\\[^\n])*"'
_JSON_STRINGS = re.compile(
    f"\\[[ \\t]*(?:{_JSON_STRING}[ \\t]*(?:,[ \\t]*{_JSON_STRING}[ \\t]*)*)?\\][ \\t]*\\r*\\n?"
)


@functools.lru_cache(maxsize=None)
def _name_value_patterns(escape: str) -> tuple[re.Pattern, re.Pattern]:
    """ENV and LABEL arguments on a logical line (or one physical line) that BuildKit plainly
    accepts: `name=value` words only, or `name value`. A name has no quote, escape or `=`
    and does not start with `-` (no flag); a value is BuildKit's word, piece by piece: a
    character, an escaped one, a quoted run. Each piece is told by its first character, so
    neither pattern backtracks."""
    e = re.escape(escape)
    space = gotext.SPACE_CHARS + "\udc85\udca0"  # Go's byte-wise flag walk skips these too
    name = f"[^{space}\"'{e}=-][^{space}\"'{e}=]*"
    piece = f"[^{space}\"'{e}]|{e}[^\\n]|\"(?:[^\"{e}\\n]|{e}[^\\n])*\"|'[^'\\n]*'"
    pair = f"{name}=(?:{piece})*"
    pairs = re.compile(f"[ \\t]*(?:{pair}(?:[ \\t]+{pair})*)?[ \\t]*\\r*\\n?")
    name_then_value = re.compile(f"[ \\t]*{name}[ \\t]+[!-~]")
    return pairs, name_then_value


@functools.lru_cache(maxsize=None)
def _statement_pattern(escape: str) -> re.Pattern:
    """One statement: a run of comment and blank lines (group 1), then one instruction's
    physical lines (group 2): a line ending in a continuation (then group 5 matches, empty),
    comment, blank and continuing lines, then the line that ends it or the end of the file.
    Where the first line starts with a plain keyword, it is read in the same match (group 3),
    and so is the first character of the arguments where it is plain (group 4): no flag, no
    JSON array, no escape, no white space of any kind."""
    e = re.escape(escape)
    # the escape, not itself escaped, then spaces to the line end; the literal comes before
    # the look-behind so that the regex engine backtracks to it in one step, not a character
    # at a time
    continues = f"[^\\n]*{e}(?<!{e}{e})[ \\t]*\\r*\\n"
    plain = f"[^-\\[{gotext.SPACE_CHARS}\\udc85\\udca0{e}]"
    return re.compile(
        f"({_TRIVIA})?"
        f"((?:[ \\t]*([A-Za-z]+)(?=[ \\t])(?:[ \\t]+({plain}))?)?"
        f"(?:{continues}()(?:{_H}*#[^\\n]*\\n|{_H}*\\n|{continues})*[^\\n]*\\n?|[^\\n]*\\n?))"
    )


class ParseError(Exception):
    """The file is one BuildKit's parser rejects. `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0]
        super().__init__(f"{first.line}:{first.column}: {first.message}")


class NodeToken:
    """What Lark's parser reads: a terminal name (`type`), the syntax node the scanner built
    for the token's text, and the comment and blank lines just before it (`prefix`, a Trivia
    node or None). Lark's parser only reads `type`, and positions when it reports a token it
    did not expect; a plain object with slots costs a fraction of a lark Token, a str."""

    __slots__ = ("type", "node", "prefix")
    line = column = end_line = end_column = end_pos = None

    def __init__(self, kind: str, node: object, prefix: Trivia | None = None) -> None:
        self.type = kind
        self.node = node
        self.prefix = prefix

    @property
    def start_pos(self) -> int:
        return self.node.start  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"NodeToken({self.type!r}, {self.node!r})"


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
    (after any flags) with something other than `[`. True where only joining can tell, and
    where an escape in the flags may join words the pattern sees apart (`--a\\ b [1]`)."""
    match = _ARGUMENTS.match(node_text, arguments)
    return (
        match.group(1) is not None
        or node_text[match.end() : match.end() + 1] in ("", escape, "\n", "-")
        or escape in node_text[arguments : match.end()]
    )


def _json_bracket(node_text: str, arguments: int, escape: str) -> int:
    """Where BuildKit's JSON array starts, when the flags before it are plain ASCII without
    escapes (so the pattern splits them as Go does); -1 otherwise."""
    match = _ARGUMENTS.match(node_text, arguments)
    bracket = match.start(1)
    if bracket < 0:
        return -1
    flags = node_text[arguments:bracket]
    return bracket if flags.isascii() and escape not in flags else -1


def scan(text: str) -> list[NodeToken]:
    """The tokens of `text`, or ParseError where BuildKit would fail. (A list, not a
    generator: Lark's loop runs faster over a list than resuming a generator per token.)"""
    tokens: list[NodeToken] = []
    add = tokens.append
    foreign = foreign_encoding(text)
    if foreign is not None:
        how = "its byte order mark" if foreign.marked else "its NUL bytes"
        raise _error(text, Span(0, foreign.length), "DF011",
                     f"the file is {foreign.encoding} text (told by {how}), but Docker reads a Dockerfile as UTF-8",
                     f"save the file as UTF-8 (e.g. with `iconv -f {foreign.encoding} -t UTF-8`)")
    if len(text) > MAX_LINE_BYTES // 4:
        _check_line_lengths(text)
    pos = 0
    if text.startswith("\ufeff"):
        add(NodeToken("BOM", Bom("\ufeff", 0)))
        pos = 1
    escape = "\\"
    if _COMMENT_FIRST.match(text, pos):  # where directives may be
        for directive, pos in _directives(text, pos):
            if directive.name == "escape":
                escape = directive.value
            add(NodeToken("DIRECTIVE", directive))

    statement = _statement_pattern(escape).match
    checks = _ARGUMENT_CHECKS.get
    length = len(text)
    instructions = 0
    while pos < length:
        match = statement(text, pos)
        trivia_text, node_text, keyword, plain, continued = match.groups()
        prefix = None
        if trivia_text is not None:
            prefix = Trivia(trivia_text, pos)
            pos += len(trivia_text)
            if not node_text:  # comment and blank lines end the file
                add(NodeToken("TRIVIA", prefix))
                break
        if keyword is None:
            node, with_heredocs = _instruction(text, pos, node_text, escape)
            command = node.command
        else:
            command = keyword.lower()
            check = checks(command, _NO_CHECK)
            if check == _NO_CHECK or plain is not None and check in _PLAIN_SUFFICES and "<<" not in node_text:
                verdict = _ACCEPTED
            else:
                verdict = _shortcut(check, node_text, match.end(3) - pos, plain is not None, continued is None, escape)
            if verdict == _UNSURE:
                node, with_heredocs = _instruction(text, pos, node_text, escape)
            else:
                node = instruction_class(keyword)(node_text, pos, keyword, escape)
                with_heredocs = verdict == _ACCEPTED_WITH_HEREDOCS
        if command == "pyenv":
            # BuildKit reads no heredoc for an instruction it does not know; pyenvc reads
            # PYENV's itself, so that its body lines are never taken for instructions
            with_heredocs = "<<" in node_text
            add(NodeToken("PYENV", node, prefix))
        else:
            add(NodeToken("INSTRUCTION", node, prefix))
        pos += len(node_text)
        instructions += 1
        if with_heredocs:
            for heredoc in _heredocs(text, node, pos):
                pos += len(heredoc.text)
                add(NodeToken("HEREDOC", heredoc))
    if instructions == 0:
        raise _error(text, Span(length, length), "DF001", "file with no instructions",
                     "add an instruction such as `FROM <image>`")
    return tokens


def _shortcut(check: int, node_text: str, arguments: int, starts_plain: bool, one_line: bool, escape: str) -> int:
    """BuildKit's verdict on the arguments where it can be read off the text without joining
    lines or splitting words: _ACCEPTED, or _ACCEPTED_WITH_HEREDOCS where `<<` may name some
    (the shell lexer decides); _UNSURE where only BuildKit's full rules can tell.
    `arguments` is where they start in `node_text`; `starts_plain` says their first character
    is plain (see _statement_pattern)."""
    if check == _JSON_CHECK or check == _HEREDOC_CHECK:
        heredocs = check == _HEREDOC_CHECK and "<<" in node_text
        if starts_plain or not _maybe_json(node_text, arguments, escape):  # BuildKit reads no JSON
            return _ACCEPTED_WITH_HEREDOCS if heredocs else _ACCEPTED
        if heredocs or not one_line:
            return _UNSURE
        bracket = _json_bracket(node_text, arguments, escape)
        if bracket >= 0 and _JSON_STRINGS.fullmatch(node_text, bracket) is not None:
            return _ACCEPTED  # if the array decodes at all, it holds strings only
        return _UNSURE
    # on one line that ends in a newline (else an escape before the end of the file is a
    # continuation that the logical line drops)
    if check == _NAME_VALUE_CHECK and one_line and node_text.endswith("\n"):
        if _plain_name_values(node_text, arguments, escape):
            return _ACCEPTED
    return _UNSURE


def _instruction(text: str, pos: int, node_text: str, escape: str) -> tuple[Instruction, bool]:
    """An instruction the shortcut cannot vouch for, read with BuildKit's full rules where
    its logical line leaves a doubt: its node, and whether heredoc bodies follow it."""
    keyword, arguments = _keyword(node_text, escape)
    if keyword is None:  # the keyword spans lines or holds the escape: BuildKit's split decides
        node = Instruction(node_text, pos, "", escape)
        parsed = _parse(text, node)
        keyword = parsed.command.keyword
        node = instruction_class(keyword)(node_text, pos, keyword, escape, (), node._joined, parsed)
        return node, _reads_heredocs(node_text, parsed)
    node = instruction_class(keyword)(node_text, pos, keyword, escape)
    check = _ARGUMENT_CHECKS.get(node.command, _NO_CHECK)
    if check == _FULL_CHECK:
        return node, _reads_heredocs(node_text, _parse(text, node))
    if check == _JSON_CHECK or check == _HEREDOC_CHECK:
        if _maybe_json(node_text, arguments, escape) and _maybe_json(node.logical, len(keyword), escape):
            return node, _reads_heredocs(node_text, _parse(text, node))
        return node, check == _HEREDOC_CHECK and "<<" in node_text  # no JSON
    if check == _NAME_VALUE_CHECK and not _plain_name_values(node.logical, len(keyword), escape):
        _check(text, node)
    return node, False


def _reads_heredocs(node_text: str, parsed: buildkit.Parsed) -> bool:
    return "<<" in node_text and buildkit.can_contain_heredoc(parsed)


def _plain_name_values(line: str, arguments: int, escape: str) -> bool:
    """True where ENV or LABEL arguments on `line` (from `arguments` on) are plainly ones
    BuildKit accepts (see _name_value_patterns)."""
    pairs, name_then_value = _name_value_patterns(escape)
    return pairs.fullmatch(line, arguments) is not None or name_then_value.match(line, arguments) is not None


def _heredocs(text: str, node: Instruction, pos: int) -> Iterator[Heredoc]:
    """The bodies of the heredocs `node` names, read from `pos` on."""
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
        yield heredoc


def _span(node: Instruction) -> Span:
    """From the keyword to the end of the instruction's lines."""
    return Span(node.source_offset(0), node.start + len(node.text))


def _parse(text: str, node: Instruction) -> buildkit.Parsed:
    """BuildKit's full parse of the node's arguments, kept on the node for whoever reads them."""
    try:
        parsed = buildkit.parse_instruction(node.logical, node.escape)
    except buildkit.BuildKitError as problem:
        raise _error(text, _span(node), problem.code, str(problem)) from None
    object.__setattr__(node, "_parsed", parsed)
    return parsed


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
