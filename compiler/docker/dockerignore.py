"""`.dockerignore` as Docker reads and applies it: is a path in the build context left out?

In: the file's text (decoded from UTF-8 with `surrogateescape`) and slash-separated paths
relative to the context root. Out: excluded or not, or a `DockerignoreError` with Docker's own
message where the build would fail.

Three pieces of Docker's code, followed step by step:
- moby/patternmatcher's `ignorefile.ReadAll`: lines split at `\\n` only, one trailing `\\r`
  dropped (bufio.ScanLines), a UTF-8 BOM dropped from the first line, lines that start with `#`
  skipped before any trimming, Go's white space trimmed (around the `!` too), the pattern
  cleaned like filepath.Clean and one leading `/` dropped; a line of 64 KiB or more fails.
- `patternmatcher.New` and `Pattern.match`: each pattern is checked with filepath.Match, then
  turned into an exact, prefix (`x/**`) or suffix (`**/x`) comparison or a Go regexp, built
  the way patternmatcher builds it and matched with Go's semantics (`goregexp`). A pattern
  whose regexp Go cannot compile fails only when it is first tested.
- fsutil's filtered walk, which sends the context: every directory on the way down is matched
  first (`MatchesUsingParentResults`), a pattern that matched a parent counts as matching the
  child, and an excluded directory is not entered at all when no `!` exception could reach
  inside it. So `a/b` then `!a` still excludes `a/b`, which `MatchesOrParentMatches` would not.
"""

from __future__ import annotations

from typing import Optional

from pyenvc.docker import goregexp
from pyenvc.docker.gofilepath import clean, dir_name, match_accepts
from pyenvc.docker.gotext import strip

MAX_LINE = 64 * 1024  # bufio.MaxScanTokenSize
_BAD_PATTERN = "syntax error in pattern"  # filepath.ErrBadPattern
_REGEX_ESCAPED = frozenset(".+()|{}$")  # patternmatcher's shouldEscape
_GLOB_CHARS = "*[]?^\\"  # fsutil's patternChars on linux


class DockerignoreError(ValueError):
    """Docker fails the build with `message`; `line` is the .dockerignore line it comes from, if known."""

    def __init__(self, message: str, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_lines(text: str) -> list[tuple[int, str]]:
    """ignorefile.ReadAll, with each pattern's 1-based line number."""
    lines = text.split("\n")
    if lines[-1] == "":  # ScanLines yields no empty last line
        lines.pop()
    patterns = []
    for number, line in enumerate(lines, 1):
        if len(_utf8(line)) >= MAX_LINE:
            raise DockerignoreError("bufio.Scanner: token too long", number)
        if line.endswith("\r"):
            line = line[:-1]
        if number == 1:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):
            continue
        line = strip(line)
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = strip(line[1:])
        if line:
            line = clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append((number, "!" + line if invert else line))
    return patterns


def read_patterns(text: str) -> list[str]:
    """ignorefile.ReadAll"""
    return [pattern for _, pattern in read_lines(text)]


class Pattern:
    """patternmatcher.Pattern: one cleaned pattern, compiled when it is first tested."""

    def __init__(self, cleaned: str, exclusion: bool, line: Optional[int]) -> None:
        self.cleaned = cleaned
        self.exclusion = exclusion
        self.line = line
        self._bytes = _utf8(cleaned)
        self._kind: Optional[str] = None
        self._regexp: Optional[goregexp.Regexp] = None

    def without_trailing_glob(self) -> str:
        """fsutil's patternWithoutTrailingGlob"""
        return self.cleaned.removesuffix("/**").removesuffix("/*")

    def match(self, path: str) -> bool:
        """Pattern.match; a pattern Go's regexp cannot compile fails each time it is tested."""
        if self._kind is None:
            self._compile()
        if self._kind == "exact":
            return _utf8(path) == self._bytes
        if self._kind == "prefix":
            return _utf8(path).startswith(self._bytes[:-2])
        if self._kind == "suffix":
            # cut in bytes, as Go slices the string: after a BOM this lands inside it
            suffix = self._bytes[2:]
            whole = _utf8(path)
            return whole.endswith(suffix) or (suffix[:1] == b"/" and whole == suffix[1:])
        assert self._regexp is not None
        return self._regexp.search(_runes(path))

    def _compile(self) -> None:
        """Pattern.compile: patternmatcher's regexp text and match type, then Go's regexp."""
        regex = ["^"]
        kind = "exact"
        chars = [_rune(c) for c in self.cleaned]
        if chars[:1] == ["\ufeff"]:  # text/scanner skips a BOM at the start
            chars = chars[1:]
        i, step = 0, 0
        while i < len(chars):
            ch = chars[i]
            i += 1
            if ch == "*":
                if i < len(chars) and chars[i] == "*":
                    i += 1
                    if i < len(chars) and chars[i] == "/":
                        i += 1
                    if i == len(chars):
                        if kind == "exact":
                            kind = "prefix"
                        else:
                            regex.append(".*")
                            kind = "regexp"
                    else:
                        regex.append("(.*/)?")
                        kind = "regexp"
                    if step == 0:
                        kind = "suffix"
                else:
                    regex.append("[^/]*")
                    kind = "regexp"
            elif ch == "?":
                regex.append("[^/]")
                kind = "regexp"
            elif ch in _REGEX_ESCAPED:
                regex.append("\\" + ch)
            elif ch == "\\":
                if i < len(chars):
                    regex.append("\\" + chars[i])
                    i += 1
                    kind = "regexp"
                else:
                    regex.append("\\")
            elif ch in "[]":
                regex.append(ch)
                kind = "regexp"
            else:
                regex.append(ch)
            step += 1
        if kind == "regexp":
            try:
                self._regexp = goregexp.Regexp("".join(regex) + "$")
            except goregexp.GoRegexpError:
                raise DockerignoreError(_BAD_PATTERN, self.line) from None
        self._kind = kind


def _utf8(text: str) -> bytes:
    """The bytes Go holds: a lone surrogate U+DC80..U+DCFF is the byte it escapes; any other
    (only a caller's own string has one) is U+FFFD, as Go would have stored it."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        kept = ("\ufffd" if "\ud800" <= c <= "\udfff" and not "\udc80" <= c <= "\udcff" else c for c in text)
        return "".join(kept).encode("utf-8", "surrogateescape")


def _rune(char: str) -> str:
    """A character as Go decodes it: a byte that is not UTF-8 is U+FFFD."""
    return "\ufffd" if "\ud800" <= char <= "\udfff" else char


def _runes(text: str) -> str:
    return "".join(map(_rune, text))


class Matcher:
    """patternmatcher.New over ReadAll's patterns, and the context walk that applies them."""

    def __init__(self, lines: list[tuple[Optional[int], str]]) -> None:
        self.patterns: list[Pattern] = []
        for line, pattern in lines:
            pattern = strip(pattern)
            if not pattern:
                continue
            pattern = clean(pattern)
            exclusion = pattern.startswith("!")
            if exclusion:
                if len(pattern) == 1:
                    raise DockerignoreError('illegal exclusion pattern: "!"', line)
                pattern = pattern[1:]
            if not match_accepts(pattern):
                raise DockerignoreError(_BAD_PATTERN, line)
            self.patterns.append(Pattern(pattern, exclusion, line))
        self.exclusions = any(p.exclusion for p in self.patterns)
        # fsutil skips an excluded directory unless an exception may reach inside it; it can
        # tell only for exceptions without glob characters (a trailing /* or /** aside)
        self._prefix_exceptions = not any(
            p.exclusion and any(c in p.without_trailing_glob() for c in _GLOB_CHARS) for p in self.patterns
        )

    @classmethod
    def from_text(cls, text: str) -> "Matcher":
        return cls(list(read_lines(text)))

    def matches_using_parent_results(self, path: str, parent: list[bool]) -> tuple[bool, list[bool]]:
        """MatchesUsingParentResults: whether `path` is excluded, and each pattern's result for
        it, given the results for its parent directory (empty for a top-level entry)."""
        matched = False
        results = [False] * len(self.patterns)
        for i, pattern in enumerate(self.patterns):
            match = bool(parent) and parent[i]
            if not match:
                if pattern.exclusion != matched:
                    continue  # this pattern cannot change the answer: it is not even tested
                match = pattern.match(path)
                if not match and not parent:
                    match = self._parent_matches(pattern, path)
            results[i] = match
            if match:
                matched = not pattern.exclusion
        return matched, results

    @staticmethod
    def _parent_matches(pattern: Pattern, path: str) -> bool:
        """With no parent results, a match of one of the parent directories; errors ignored."""
        parent = dir_name(path)
        if parent == ".":
            return False
        parts = parent.split("/")
        for i in range(len(parts)):
            try:
                if pattern.match("/".join(parts[: i + 1])):
                    return True
            except DockerignoreError:
                pass
        return False

    def excludes(self, path: str) -> bool:
        """Whether fsutil's walk leaves out the file at `path` (its parents being directories)."""
        if not self.patterns:
            return False
        parts = path.split("/")
        results: list[bool] = []
        for depth in range(1, len(parts) + 1):
            entry = "/".join(parts[:depth])
            matched, results = self.matches_using_parent_results(entry, results)
            if depth == len(parts):
                return matched
            if matched and self._prefix_exceptions and not self._may_reinclude_below(entry):
                return True  # the walk does not enter the directory
        return False

    def _may_reinclude_below(self, directory: str) -> bool:
        if not self.exclusions:
            return False
        prefix = directory + "/"
        return any(p.exclusion and (p.without_trailing_glob() + "/").startswith(prefix) for p in self.patterns)
