"""Go's `path/filepath` on linux, as moby/patternmatcher uses it: `Clean`, `Dir`, and whether
`Match` accepts a pattern.

Strings are text decoded from UTF-8 with `surrogateescape`: a lone surrogate is a byte that is
not UTF-8, which `Match` refuses inside a `[...]` class.
"""

from __future__ import annotations


def clean(path: str) -> str:
    """filepath.Clean: the shortest path that names the same file, by lexical rules alone."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def dir_name(path: str) -> str:
    """filepath.Dir"""
    return clean(path[: path.rfind("/") + 1])


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """filepath's scanChunk: (leading stars?, the chunk up to the next star outside a class, rest)."""
    stripped = pattern.lstrip("*")
    star = len(stripped) != len(pattern)
    in_range = False
    i = 0
    while i < len(stripped):
        ch = stripped[i]
        if ch == "\\":
            if i + 1 < len(stripped):
                i += 1
        elif ch == "[":
            in_range = True
        elif ch == "]":
            in_range = False
        elif ch == "*" and not in_range:
            break
        i += 1
    return star, stripped[:i], stripped[i:]


def _class_char(chunk: str, i: int) -> int:
    """filepath's getEsc: the index after one class character, or -1 for ErrBadPattern."""
    if i >= len(chunk) or chunk[i] in "-]":
        return -1
    if chunk[i] == "\\":
        i += 1
        if i >= len(chunk):
            return -1
    if "\udc80" <= chunk[i] <= "\udcff":  # utf8.RuneError of width 1
        return -1
    i += 1
    return i if i < len(chunk) else -1


def _chunk_valid(chunk: str) -> bool:
    """matchChunk's syntax checks, which it makes whatever the name."""
    i = 0
    while i < len(chunk):
        ch = chunk[i]
        if ch == "[":
            i += 1
            if i < len(chunk) and chunk[i] == "^":
                i += 1
            ranges = 0
            while not (i < len(chunk) and chunk[i] == "]" and ranges > 0):
                i = _class_char(chunk, i)
                if i < 0:
                    return False
                if chunk[i] == "-":
                    i = _class_char(chunk, i + 1)
                    if i < 0:
                        return False
                ranges += 1
            i += 1
        elif ch == "\\":
            if i + 1 >= len(chunk):
                return False
            i += 2
        else:
            i += 1
    return True


def match_accepts(pattern: str) -> bool:
    """Whether filepath.Match(pattern, name) returns no ErrBadPattern. Go 1.16 and later check
    every chunk of the pattern whatever the name, so the name does not matter."""
    while pattern:
        _, chunk, pattern = _scan_chunk(pattern)
        if not _chunk_valid(chunk):
            return False
    return True
