"""Which line of the source Dockerfile each line of the generated one comes from.

In: the source text (with PYENV) and the output text `compile` made from it. Out: a `LineMap`,
for each 1-based output line the 1-based source line it came from. `pyenvc build` uses it to
turn BuildKit's `Dockerfile:16` (a line of the generated file) into the user's own line.

The map is derived from the two texts, not from the lowering's internals, so it keeps working
whatever the lowering generates. It rests on what the spec guarantees about the output:

- every byte outside a PYENV comes out unchanged and in order, so the user's own lines are found
  again by a longest common subsequence of lines (the few exceptions the spec names, such as the
  Astro Runtime `FROM ...-base` rewrite, show up as replaced lines and map to the line they
  replaced);
- each lowered PYENV starts with a `# PYENV line N` comment, so a generated line maps to the
  PYENV of the nearest such comment before it (generated blocks placed elsewhere, such as the
  stages layout's venv stages, start with a comment `# PYENV line N: ...` too). The in-place
  comments (nothing after the number) also cut both texts into segments
  (source line N starts segment k in the source, its comment segment k in the output) that are
  aligned one by one: a generated `USER root` can then never be taken for a user's `USER root`
  in another segment. Within a segment the generated block comes first and the user's own lines
  after it, so ties are broken towards the latest match.
"""

from __future__ import annotations

import difflib
import re
from typing import Optional, Sequence

import attrs

# `# PYENV line 7` heads the block that replaced the PYENV on line 7; other generated comments may
# start the same way (`# PYENV line 7: the venv x, built in a stage of its own`)
_ANCHOR = re.compile(r"[ \t]*#[ \t]*PYENV line ([0-9]+)(?![0-9])")
_IN_PLACE = re.compile(r"[ \t]*#[ \t]*PYENV line ([0-9]+)[ \t]*\r?\Z")
_PYENV = re.compile(r"[ \t]*pyenv(?:[ \t]|\\|`|\r?\Z)", re.IGNORECASE)
_DP_LIMIT = 4_000_000  # cells of the LCS table; beyond it, difflib's faster heuristic


@attrs.frozen
class LineMap:
    """For each output line, the source line it comes from."""

    # sources[i] is the 1-based source line of 1-based output line i + 1
    sources: tuple[int, ...]
    # generated[i]: output line i + 1 was generated (not one of the user's own lines)
    generated: tuple[bool, ...]

    def source_line(self, output_line: int) -> Optional[int]:
        """The 1-based source line of a 1-based output line; None outside the output."""
        if 1 <= output_line <= len(self.sources):
            return self.sources[output_line - 1]
        return None

    def is_generated(self, output_line: int) -> bool:
        return 1 <= output_line <= len(self.generated) and self.generated[output_line - 1]


def _lines(text: str) -> list[str]:
    """Lines as BuildKit counts them: only `\\n` ends a line; a final newline adds none."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def _match(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) with a[i] == b[j] of a longest common subsequence; of equally long ones,
    the one that matches each line as late as possible."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    tail = []
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
        tail.append((end_a, end_b))
    pairs = [(i, i) for i in range(start)]
    n, m = end_a - start, end_b - start
    if n and m:
        if n * m <= _DP_LIMIT:
            pairs += _lcs(a[start:end_a], b[start:end_b], start)
        else:
            matcher = difflib.SequenceMatcher(None, a[start:end_a], b[start:end_b], autojunk=False)
            for block in matcher.get_matching_blocks():
                pairs += [(start + block.a + k, start + block.b + k) for k in range(block.size)]
    pairs += reversed(tail)
    return pairs


def _lcs(a: Sequence[str], b: Sequence[str], offset: int) -> list[tuple[int, int]]:
    n, m = len(a), len(b)
    # table[i][j]: LCS length of a[:i] and b[:j]
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, above, ai = table[i], table[i - 1], a[i - 1]
        for j in range(1, m + 1):
            row[j] = above[j - 1] + 1 if ai == b[j - 1] else max(above[j], row[j - 1])
    pairs = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            pairs.append((offset + i - 1, offset + j - 1))
            i -= 1
            j -= 1
        elif table[i][j - 1] >= table[i - 1][j]:
            j -= 1  # skip an output line first: generated lines are the extra ones
        else:
            i -= 1
    pairs.reverse()
    return pairs


def _segments(source: list[str], output: list[str]) -> Optional[list[tuple[int, int]]]:
    """(source index, output index) where segment k starts: each `# PYENV line N` comment of the
    output with the PYENV at source line N; None when the comments do not line up with the
    source's PYENVs in order (then the whole texts are aligned at once)."""
    cuts = []
    for j, line in enumerate(output):
        found = _IN_PLACE.match(line)
        if found is None:
            continue
        n = int(found.group(1))
        if not 1 <= n <= len(source) or not _PYENV.match(source[n - 1]):
            continue  # a comment of the user's that only looks like one
        if cuts and (n - 1 <= cuts[-1][0] or j <= cuts[-1][1]):
            return None
        cuts.append((n - 1, j))
    return cuts


def derive(source_text: str, output_text: str) -> LineMap:
    """The map from the lines of `output_text` to the lines of `source_text`."""
    source, output = _lines(source_text), _lines(output_text)
    cuts = _segments(source, output)
    bounds = [(0, 0)] + (cuts or []) + [(len(source), len(output))]
    matched: dict[int, int] = {}
    for (sa, oa), (sb, ob) in zip(bounds, bounds[1:]):
        for i, j in _match(source[sa:sb], output[oa:ob]):
            matched[oa + j] = sa + i

    sources: list[int] = []
    generated: list[bool] = []
    j = 0
    last_source = -1  # source index of the last matched output line
    while j < len(output):
        if j in matched:
            last_source = matched[j]
            sources.append(last_source + 1)
            generated.append(False)
            j += 1
            continue
        # a run of output lines the source does not have, between two matched lines
        run_end = j
        while run_end < len(output) and run_end not in matched:
            run_end += 1
        next_source = matched[run_end] if run_end < len(output) else len(source)
        # the source lines this run replaced, if any (e.g. a FROM rewritten to its -base tag)
        replaced = last_source + 1 if last_source + 1 < next_source else None
        anchor: Optional[int] = None
        for k in range(j, run_end):
            found = _ANCHOR.match(output[k])
            if found is not None and 1 <= int(found.group(1)) <= len(source):
                anchor = int(found.group(1)) - 1
            if anchor is not None:
                line = anchor
            elif replaced is not None:
                line = replaced
            else:  # lines only inserted: they belong to what follows them
                line = min(next_source, len(source) - 1)
            sources.append(max(line, 0) + 1)
            generated.append(True)
        j = run_end
    return LineMap(tuple(sources), tuple(generated))
