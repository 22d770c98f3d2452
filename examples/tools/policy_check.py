"""A policy checker for Dockerfiles, with diagnostics at line and column as pyenvc gives them.

    python examples/tools/policy_check.py Dockerfile other/Dockerfile

Rules (each reads the file as BuildKit does, through `pyenvc.tooling.Document`):

- POLICY001: the final stage runs as root: its last USER (or the one it inherits from the stage
  it is built FROM) is root or uid 0.
- POLICY002: the final stage sets no USER: the base image's user is used, often root.
- POLICY003: a base image is not pinned by digest (`image@sha256:...`); stages built FROM an
  earlier stage, and `scratch`, need none.
- POLICY004: a base image cannot be known before the build (a variable with no default), so its
  pin cannot be checked.

Exit 0 when no rule fires, 1 when one does, 2 for a file that cannot be read or parsed.
"""

from __future__ import annotations

import sys
from typing import Iterator, NamedTuple, Optional

from pyenvc import ParseError
from pyenvc.docker import reference
from pyenvc.tooling import Document

ROOT = ("root", "0")


class Finding(NamedTuple):
    code: str
    line: int
    column: int
    message: str
    hint: str


def _at(doc: Document, offset: int, code: str, message: str, hint: str) -> Finding:
    line, column = doc.source.position(max(offset, 0))
    return Finding(code, line, column, message, hint)


def check(doc: Document) -> Iterator[Finding]:
    if not doc.stages:
        return
    final = doc.stages[-1]
    user = doc.state_after(final).user
    user_node = next((n for s in doc.chain(final) for n in reversed(s.instructions) if n.command == "user"), None)
    if user is not None and user.split(":", 1)[0] in ROOT:
        yield _at(doc, user_node.start if user_node else final.node.start, "POLICY001",
                  f"the final stage runs as '{user}'", "end the final stage with `USER <non-root user>`")
    elif user is None and user_node is None:
        yield _at(doc, final.node.start, "POLICY002", "the final stage sets no USER: the base image's is used",
                  "end the final stage with `USER <non-root user>`")
    for stage in doc.stages:
        if stage.parent is not None or stage.base is None or stage.resolved == "scratch":
            continue
        where = stage.base.span.start
        if stage.resolved is None:
            yield _at(doc, where, "POLICY004", f"the base image '{stage.base.raw}' is not known before the build",
                      "give the ARG it uses a default")
            continue
        try:
            pinned = reference.parse(stage.resolved).digest is not None
        except ValueError:
            pinned = False
        if not pinned:
            yield _at(doc, where, "POLICY003", f"the base image '{stage.resolved}' is not pinned by digest",
                      f"write it as {stage.resolved.split('@')[0]}@sha256:<digest>")


def render(path: str, doc: Document, finding: Finding) -> str:
    text = doc.source.line_text(finding.line)
    caret = " " * (finding.column - 1) + "^"
    return f"{path}:{finding.line}:{finding.column}: error[{finding.code}]: {finding.message}\n  {text}\n  {caret}\n  help: {finding.hint}"


def main(argv: Optional[list[str]] = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: policy_check.py DOCKERFILE...", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                doc = Document.parse(f.read())
        except (OSError, ParseError) as problem:
            print(f"{path}: {problem}", file=sys.stderr)
            return 2
        for finding in check(doc):
            print(render(path, doc, finding))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
