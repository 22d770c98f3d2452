"""BuildKit's shell-word lexer (frontend/dockerfile/shell/lex.go), the one pyenvc has, for
two jobs:

- `words`: the heredoc delimiters on an instruction line. BuildKit lexes the line with escape
  `\\`, no variables set and unset ones kept as written (SkipUnsetEnv); with RawQuotes and
  RawEscapes the quotes and escapes stay in the words. What decides the words matters: where
  words split, what quotes and `$` substitutions swallow, and which inputs are errors (a line
  BuildKit cannot lex names no heredocs).
- `expand`: ProcessWord, a FROM word (or an ARG default) with the global ARGs known at compile
  time: quotes removed, escapes (the file's escape character) applied, `$X`, `${X}` and the
  `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}` forms expanded. A variable whose value is not known
  here, or a form whose result cannot be told (`${X?}`, patterns), raises `Unresolved`.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

from pyenvc.docker import gotext

ESCAPE = "\\"
_HEREDOC_SPACE = " \t\r\n"  # what `<<` takes into its word (processPossibleHeredoc)
# Without quotes, `$` or escapes, lexing a line only splits it at white space, `<<` keeping
# the white space after it.
_LEXED_CHARS = re.compile("[\"'$\\\\]")
_PLAIN_WORD = re.compile(f"(?:<<[{_HEREDOC_SPACE}]*|[^{gotext.SPACE_CHARS}])+")
_SPECIAL_PARAMS = frozenset("@*#?-$!0")


class ShellSyntaxError(Exception):
    pass


class Unresolved(Exception):
    """The word uses a variable or a form whose value is not known at compile time."""


class _Words:
    """wordsStruct: the words of a lexed line, split on Go's white space."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if gotext.is_space(ch):
            if self.in_word and any(self.word):  # Go looks at the buffer's length: "" is no word
                self.words.append("".join(self.word))
                self.word, self.in_word = [], False
        else:
            self.add_raw(ch)

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def add_raw(self, text: str) -> None:
        self.word.append(text)
        self.in_word = True

    def get(self) -> list[str]:
        if any(self.word):
            self.words.append("".join(self.word))
            self.word, self.in_word = [], False
        return self.words


class _Lexer:
    def __init__(
        self,
        text: str,
        raw_quotes: bool,
        raw_escapes: bool,
        escape: str = ESCAPE,
        env: Optional[Mapping[str, Optional[str]]] = None,
        unset: Optional[str] = None,
    ) -> None:
        self.text = text
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.escape = escape
        self.env = env  # None: variables are kept as written (SkipUnsetEnv)
        self.unset = unset  # what a name `env` does not hold expands to; None: Unresolved

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1 if ch else 0
        return ch

    def stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        """processStopOn: lex up to `stop` (the end when empty)."""
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            result: list[str] = []
            words = _Words()
            while self.peek():
                ch = self.peek()
                if stop and ch == stop:
                    self.next()
                    return "".join(result), words.get()
                special = self._SPECIAL.get(ch)
                if special is not None:
                    piece = special(self)
                    result.append(piece)
                    if ch == "$":
                        words.add_string(piece)
                    else:
                        words.add_raw(piece)
                    continue
                ch = self.next()
                if ch == self.escape:
                    if self.raw_escapes:
                        words.add_raw(ch)
                        result.append(ch)
                    ch = self.next()
                    if not ch:
                        break
                    words.add_raw(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
            if stop:
                raise ShellSyntaxError(f"unexpected end of statement while looking for matching {stop}")
            return "".join(result), words.get()
        finally:
            self.raw_escapes = saved

    def single_quote(self) -> str:
        self.next()
        end = self.text.find("'", self.pos)
        if end < 0:
            raise ShellSyntaxError("unexpected end of statement while looking for matching single-quote")
        body, self.pos = self.text[self.pos : end], end + 1
        return f"'{body}'" if self.raw_quotes else body

    def double_quote(self) -> str:
        result = ['"'] if self.raw_quotes else []
        self.next()
        while True:
            ch = self.peek()
            if not ch:
                raise ShellSyntaxError("unexpected end of statement while looking for matching double-quote")
            if ch == '"':
                self.next()
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            if ch == "$":
                result.append(self.dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    result.append(ch)
                following = self.peek()
                if not following:
                    continue
                if following in ('"', "$", self.escape):
                    ch = self.next()
            result.append(ch)

    def name(self) -> str:
        """processName: letters, digits and `_`; a run of digits; or one special parameter."""
        start = self.pos
        ch = self.peek()
        if ch.isdecimal():  # Go's unicode.IsDigit is the Nd category
            while self.peek().isdecimal():
                self.next()
            return self.text[start : self.pos]
        if ch and ch in _SPECIAL_PARAMS:
            return self.next()
        while self.peek() and (self.peek().isalpha() or self.peek().isdecimal() or self.peek() == "_"):
            self.next()
        return self.text[start : self.pos]

    def dollar(self) -> str:
        """processDollar: without `env`, no variable set and unset ones kept as written."""
        if self.env is not None:
            return self.expand_dollar()
        self.next()
        if self.peek() != "{":
            name = self.name()
            return "$" + name if name else "$"
        self.next()
        if not self.peek():
            raise ShellSyntaxError("syntax error: missing '}'")
        if self.peek() in "{}:":
            raise ShellSyntaxError("syntax error: bad substitution")
        name = self.name()
        ch = self.next()
        modifier = ch
        if ch == "}":
            return "${" + name + "}"
        if ch == ":":
            ch = self.next()
            modifier += ch
            if ch in ("#", "%"):
                raise ShellSyntaxError(f"unsupported modifier ({modifier}) in substitution")
        if ch and ch in "+-?#%":
            word = self._until("}", ch in "#%", "syntax error: missing '}'")
            return "${" + name + modifier + word + "}"
        if ch == "/" and modifier == "/":
            if self.peek() == "/":
                self.next()
            pattern = self._until("/", True, "syntax error: missing '/' in ${}")
            replacement = self._until("}", True, "syntax error: missing '}'")
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        raise ShellSyntaxError(f"unsupported modifier ({modifier}) in substitution")

    def expand_dollar(self) -> str:
        """processDollar with the variables of `env`; Unresolved where the value is not known."""
        assert self.env is not None
        self.next()
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            return self._value(name)
        self.next()
        name = self.name()
        if not name or not (name[0].isalpha() or name[0] == "_"):
            raise Unresolved(f"${{{name}...}}: a form not known at compile time")
        ch = self.next()
        if ch == "}":
            return self._value(name)
        modifier = ch
        if ch == ":":
            ch = self.next()
            modifier += ch
        if modifier not in (":-", "-", ":+", "+"):
            raise Unresolved(f"${{{name}{modifier}...}}: a form not known at compile time")
        try:
            word = self.stop_on("}", False)[0]
        except ShellSyntaxError:
            raise Unresolved("unterminated ${") from None
        value = self.env.get(name)
        if value is None and name in self.env:  # declared, its value not known here
            raise Unresolved(name)
        declared = value is not None
        if modifier == ":-":
            return value if value else word
        if modifier == "-":
            return value if declared else word
        if modifier == ":+":
            return word if value else ""
        return word if declared else ""

    def _value(self, name: str) -> str:
        value = self.env.get(name) if self.env is not None and (name[0].isalpha() or name[0] == "_") else None
        if value is None:
            if self.unset is not None and self.env is not None and name not in self.env:
                return self.unset
            raise Unresolved(name)
        return value

    def _until(self, stop: str, raw_escapes: bool, at_end: str) -> str:
        try:
            return self.stop_on(stop, raw_escapes)[0]
        except ShellSyntaxError:
            if not self.peek():
                raise ShellSyntaxError(at_end) from None
            raise

    def possible_heredoc(self) -> str:
        """processPossibleHeredoc: `<<` takes the white space after it into its word."""
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        start = self.pos
        while self.peek() and self.peek() in _HEREDOC_SPACE:
            self.next()
        return "<<" + self.text[start : self.pos]

    _SPECIAL = {"'": single_quote, '"': double_quote, "$": dollar, "<": possible_heredoc}


def expand(word: str, env: Mapping[str, Optional[str]], escape: str = ESCAPE, unset: Optional[str] = None) -> str:
    """Lex.ProcessWord with `env`'s values: the word as BuildKit would read it, or Unresolved.
    A name `env` does not hold is Unresolved too, unless `unset` says what it expands to (""
    where every variable that is set is known, as in a stage FROM scratch)."""
    try:
        return _Lexer(word, False, False, escape, env, unset).stop_on("", False)[0]
    except ShellSyntaxError as problem:
        raise Unresolved(str(problem)) from None


def words(text: str, *, raw_quotes: bool, raw_escapes: bool) -> list[str]:
    """Lex.ProcessWords: the words of `text`, or ShellSyntaxError where BuildKit fails."""
    if _LEXED_CHARS.search(text) is None:
        return _PLAIN_WORD.findall(text)
    return _Lexer(text, raw_quotes, raw_escapes).stop_on("", raw_escapes)[1]
