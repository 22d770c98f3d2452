"""Go's `regexp` (RE2 syntax with Go's `syntax.Perl` flags), for the expressions moby/patternmatcher
builds out of `.dockerignore` patterns; Python's `re` reads the same text differently.

In: an expression string. Out: a `Regexp` whose `search(text)` is Go's `MatchString`, or a
`GoRegexpError` where Go's `regexp.Compile` fails.

Where Python differs and Go's meaning is kept here: `\\d`, `\\w`, `\\s`, `\\b` and the POSIX
classes are ASCII (`\\s` has no `\\v`); `\\pL` style Unicode classes with case-insensitive
one-letter names (Go 1.25+); `\\Q...\\E`; `\\z` and `$` both mean the end of the text (no
newline before it); `\\8` and `\\1` alone are errors, `\\0`, `\\12` octal; `[\\b]` is an error;
`[[:foo:]]` is an error but `[[:a]` is a class; a negated class matches a newline, `.` does not.
Matching is a Pike VM (a set of threads stepped together), so time is linear in the text for
any expression, unlike a backtracking engine.

patternmatcher escapes `(`, `)`, `|`, `{`, `}`, `+`, `.` and `$` itself and only makes `(.*/)?`,
`.*`, `[^/]` and `[^/]*`, so groups, `|` and `*`, `+`, `?` are supported here; a `{` is read as a
literal (Go does the same unless it forms a valid `{n,m}`, which patternmatcher's escaping rules
out) and a flag group `(?` is refused.
"""

from __future__ import annotations

import unicodedata
from typing import Optional

MAX_RUNE = 0x10FFFF


class GoRegexpError(ValueError):
    """regexp.Compile's error."""


_Ranges = tuple[tuple[int, int], ...]


def _complement(ranges: _Ranges) -> _Ranges:
    out, low = [], 0
    for lo, hi in sorted(ranges):
        if lo > low:
            out.append((low, lo - 1))
        low = max(low, hi + 1)
    if low <= MAX_RUNE:
        out.append((low, MAX_RUNE))
    return tuple(out)


def _ascii(spec: str) -> _Ranges:
    """'a-zA-Z_' -> ranges."""
    out, i = [], 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.append((ord(spec[i]), ord(spec[i + 2])))
            i += 3
        else:
            out.append((ord(spec[i]), ord(spec[i])))
            i += 1
    return tuple(out)


_PERL = {"d": _ascii("0-9"), "s": _ascii("\t\n\f\r "), "w": _ascii("0-9A-Za-z_")}
_POSIX = {
    "alnum": _ascii("0-9A-Za-z"), "alpha": _ascii("A-Za-z"), "ascii": ((0, 0x7F),),
    "blank": _ascii("\t "), "cntrl": ((0, 0x1F), (0x7F, 0x7F)), "digit": _ascii("0-9"),
    "graph": _ascii("!-~"), "lower": _ascii("a-z"), "print": _ascii(" -~"),
    "punct": _ascii("!-/:-@[-`{-~"), "space": _ascii("\t\n\v\f\r "), "upper": _ascii("A-Z"),
    "word": _ascii("0-9A-Za-z_"), "xdigit": _ascii("0-9A-Fa-f"),
}
# Go's one-letter general categories; its `C` is Cc, Cf, Co and Cs (unassigned code points are not in it).
_CATEGORIES = {"C": ("Cc", "Cf", "Co", "Cs"), "L": ("L",), "M": ("M",), "N": ("N",), "P": ("P",), "S": ("S",), "Z": ("Z",)}


class _Class:
    """A set of code points: ranges and Unicode categories, `positive` False for their complement."""

    __slots__ = ("ranges", "categories", "negated")

    def __init__(self, ranges: _Ranges = (), categories: tuple[tuple[str, bool], ...] = (), negated: bool = False) -> None:
        self.ranges = ranges
        self.categories = categories
        self.negated = negated

    def __contains__(self, code: int) -> bool:
        found = any(lo <= code <= hi for lo, hi in self.ranges)
        if not found:
            for letter, positive in self.categories:
                category = unicodedata.category(chr(code))
                if category.startswith(_CATEGORIES[letter]) != (not positive):
                    found = True
                    break
        return found != self.negated


_NOT_NEWLINE = _Class(((10, 10),), negated=True)

# Nodes: ("char", _Class) | ("assert", kind) | ("cat", [nodes]) | ("alt", [nodes])
# | ("star" | "plus" | "quest", node). Assertion kinds: "begin", "end", "word", "nonword".
_Node = tuple


def _literal(code: int) -> _Node:
    return ("char", _Class(((code, code),)))


class _Parser:
    def __init__(self, expr: str) -> None:
        self.s = expr
        self.i = 0

    def error(self, what: str) -> GoRegexpError:
        return GoRegexpError(f"error parsing regexp: {what}: `{self.s}`")

    def peek(self, offset: int = 0) -> Optional[str]:
        j = self.i + offset
        return self.s[j] if j < len(self.s) else None

    def parse(self) -> _Node:
        node = self.alternation(top=True)
        if self.i < len(self.s):  # only a `)` stops a top-level alternation early
            raise self.error("unexpected )")
        return node

    def alternation(self, top: bool) -> _Node:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.concatenation())
        if not top and self.peek() != ")":
            raise self.error("missing closing )")
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> _Node:
        items: list[_Node] = []
        last_was_repeat = False
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch in "|)":
                break
            if ch in "*+?":
                if not items:
                    raise self.error("missing argument to repetition operator")
                if last_was_repeat:
                    raise self.error("invalid nested repetition operator")
                self.i += 1
                if self.peek() == "?":  # non-greedy: the same set of matches
                    self.i += 1
                items[-1] = ({"*": "star", "+": "plus", "?": "quest"}[ch], items[-1])
                last_was_repeat = True
                continue
            last_was_repeat = False
            items.extend(self.atom())
        return ("cat", items)

    def atom(self) -> list[_Node]:
        ch = self.s[self.i]
        if ch == "(":
            if self.peek(1) == "?":
                raise self.error("flag groups are not used by patternmatcher")
            self.i += 1
            inner = self.alternation(top=False)
            self.i += 1
            return [inner]
        if ch == "[":
            return [("char", self.char_class())]
        if ch == ".":
            self.i += 1
            return [("char", _NOT_NEWLINE)]
        if ch == "^":
            self.i += 1
            return [("assert", "begin")]
        if ch == "$":
            self.i += 1
            return [("assert", "end")]
        if ch == "\\":
            return self.escape_atom()
        self.i += 1
        return [_literal(ord(ch))]

    def escape_atom(self) -> list[_Node]:
        nxt = self.peek(1)
        simple = {"A": "begin", "z": "end", "b": "word", "B": "nonword"}
        if nxt in simple:
            self.i += 2
            return [("assert", simple[nxt])]
        if nxt == "C":
            raise self.error("invalid escape sequence: `\\C`")
        if nxt == "Q":
            end = self.s.find("\\E", self.i + 2)
            text = self.s[self.i + 2:] if end < 0 else self.s[self.i + 2:end]
            self.i = len(self.s) if end < 0 else end + 2
            return [_literal(ord(c)) for c in text]
        cls = self.unicode_class() or self.perl_class()
        if cls is not None:
            return [("char", cls)]
        return [_literal(self.escape())]

    def unicode_class(self) -> Optional[_Class]:
        """`\\pL`, `\\PL`, `\\p{...}` at self.i."""
        if self.peek() != "\\" or self.peek(1) not in ("p", "P"):
            return None
        positive = self.peek(1) == "p"
        start = self.i
        self.i += 2
        c = self.peek()
        if c is None:
            raise self.error("invalid character class range: `" + self.s[start:] + "`")
        if c != "{":
            name = c
            self.i += 1
        else:
            end = self.s.find("}", self.i)
            if end < 0:
                raise self.error("invalid character class range: `" + self.s[start:] + "`")
            name = self.s[self.i + 1:end]
            self.i = end + 1
        if name.startswith("^"):
            positive, name = not positive, name[1:]
        key = name.replace(" ", "").replace("_", "").replace("-", "").upper()
        if key not in _CATEGORIES:
            raise self.error("invalid character class range: `" + self.s[start:self.i] + "`")
        return _Class(categories=((key, positive),))

    def perl_class(self) -> Optional[_Class]:
        if self.peek() != "\\" or self.peek(1) is None or self.peek(1) not in "dDsSwW":
            return None
        letter = self.peek(1)
        self.i += 2
        ranges = _PERL[letter.lower()]
        return _Class(_complement(ranges) if letter.isupper() else ranges)

    def escape(self) -> int:
        """Go's parseEscape at self.i (a backslash): the code point it stands for."""
        start = self.i
        self.i += 1
        c = self.peek()
        if c is None:
            raise self.error("trailing backslash at end of expression")
        self.i += 1
        code = ord(c)
        if c in "1234567" and not self._octal_next():
            pass  # a back reference: not supported
        elif c in "01234567":
            value = code - 48
            for _ in range(2):
                if not self._octal_next():
                    break
                value = value * 8 + ord(self.s[self.i]) - 48
                self.i += 1
            return value
        elif c == "x":
            value = self._hex()
            if value is not None:
                return value
        elif c in "afnrtv":
            return {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}[c]
        elif code < 128 and not c.isalnum():
            return code
        raise self.error("invalid escape sequence: `" + self.s[start:self.i] + "`")

    def _octal_next(self) -> bool:
        c = self.peek()
        return c is not None and "0" <= c <= "7"

    def _hex(self) -> Optional[int]:
        digits = "0123456789abcdefABCDEF"
        c = self.peek()
        if c is None:
            return None
        self.i += 1
        if c == "{":
            end = self.s.find("}", self.i)
            body = self.s[self.i:end] if end >= 0 else ""
            if end < 0 or not body or any(d not in digits for d in body) or int(body, 16) > MAX_RUNE:
                return None
            self.i = end + 1
            return int(body, 16)
        d = self.peek()
        if d is not None:
            self.i += 1
        if c not in digits or d is None or d not in digits:
            return None
        return int(c + d, 16)

    def char_class(self) -> _Class:
        """Go's parseClass at self.i (a `[`)."""
        start = self.i
        self.i += 1
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        categories: list[tuple[str, bool]] = []
        first = True
        while self.peek() != "]" or first:
            first = False
            if self.peek() == "[" and self.peek(1) == ":" and self.i + 2 < len(self.s):
                named = self.posix_class()
                if named is not None:
                    ranges.extend(named)
                    continue
            cls = self.unicode_class() or self.perl_class()
            if cls is not None:
                if cls.categories:
                    categories.extend(cls.categories)
                else:
                    ranges.extend(cls.ranges)
                continue
            rng_start = self.i
            lo = self.class_char(start)
            hi = lo
            if self.peek() == "-" and self.peek(1) not in (None, "]"):
                self.i += 1
                hi = self.class_char(start)
                if hi < lo:
                    raise self.error("invalid character class range: `" + self.s[rng_start:self.i] + "`")
            ranges.append((lo, hi))
        self.i += 1
        return _Class(tuple(ranges), tuple(categories), negated)

    def posix_class(self) -> Optional[_Ranges]:
        end = self.s.find(":]", self.i + 2)
        if end < 0:
            return None
        name = self.s[self.i + 2:end]
        self.i = end + 2
        positive = not name.startswith("^")
        ranges = _POSIX.get(name if positive else name[1:])
        if ranges is None:
            raise self.error("invalid character class range: `[:" + name + ":]`")
        return ranges if positive else _complement(ranges)

    def class_char(self, start: int) -> int:
        c = self.peek()
        if c is None:
            raise self.error("missing closing ]: `" + self.s[start:] + "`")
        if c == "\\":
            return self.escape()
        self.i += 1
        return ord(c)


# The program: a list of instructions, each ("char", _Class, next) | ("assert", kind, next)
# | ("split", a, b) | ("match",).
def _emit(node: _Node, prog: list, nxt: int) -> int:
    """Instructions for `node` that continue at `nxt`; returns the node's entry (built backwards)."""
    kind = node[0]
    if kind == "char" or kind == "assert":
        prog.append((kind, node[1], nxt))
        return len(prog) - 1
    if kind == "cat":
        for item in reversed(node[1]):
            nxt = _emit(item, prog, nxt)
        return nxt
    if kind == "alt":
        entries = [_emit(branch, prog, nxt) for branch in node[1]]
        entry = entries[-1]
        for other in reversed(entries[:-1]):
            prog.append(("split", other, entry))
            entry = len(prog) - 1
        return entry
    if kind == "quest":
        body = _emit(node[1], prog, nxt)
        prog.append(("split", body, nxt))
        return len(prog) - 1
    # star and plus: a split that loops back through the body
    prog.append(None)
    loop = len(prog) - 1
    body = _emit(node[1], prog, loop)
    prog[loop] = ("split", body, nxt)
    return loop if kind == "star" else body


def _is_word(char: Optional[str]) -> bool:
    return char is not None and (char.isascii() and (char.isalnum() or char == "_"))


class Regexp:
    """A compiled Go expression."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        tree = _Parser(expr).parse()
        self._prog: list = [("match",)]
        self._start = _emit(tree, self._prog, 0)

    def search(self, text: str) -> bool:
        """regexp.MatchString: does any part of `text` match."""
        prog = self._prog
        current: list[int] = []
        for pos in range(len(text) + 1):
            before = text[pos - 1] if pos else None
            after = text[pos] if pos < len(text) else None
            seen: set[int] = set()
            ready: list[int] = []
            stack = list(reversed(current)) + [self._start]  # a new thread may start anywhere
            while stack:
                pc = stack.pop()
                if pc in seen:
                    continue
                seen.add(pc)
                op = prog[pc]
                if op[0] == "match":
                    return True
                if op[0] == "split":
                    stack.extend((op[2], op[1]))
                elif op[0] == "assert":
                    if _holds(op[1], before, after):
                        stack.append(op[2])
                else:
                    ready.append(pc)
            if after is None:
                return False
            code = ord(after)
            current = [prog[pc][2] for pc in ready if code in prog[pc][1]]
        return False


def _holds(kind: str, before: Optional[str], after: Optional[str]) -> bool:
    if kind == "begin":
        return before is None
    if kind == "end":
        return after is None
    boundary = _is_word(before) != _is_word(after)
    return boundary if kind == "word" else not boundary

