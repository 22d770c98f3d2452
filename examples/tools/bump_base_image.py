"""Bump a base image: rewrite every FROM of IMAGE to a new tag, touching nothing else.

    python examples/tools/bump_base_image.py python 3.13-slim Dockerfile other/Dockerfile
    python examples/tools/bump_base_image.py --check python 3.13-slim Dockerfile   # for CI

IMAGE is compared as Docker normalises names (`python`, `library/python` and
`docker.io/library/python` are one image). A FROM written as `$VAR` or `${VAR}` has its global
ARG's default bumped instead. A FROM pinned by digest keeps the pin only if `--keep-digest`;
otherwise the stale digest is dropped with the tag change. A FROM whose tag comes from a variable
(`python:${PY}`) is reported, not guessed. `--check` writes nothing and exits 1 when a file would
change. Exit 2 for a file that cannot be read or parsed.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Optional

from pyenvc import ParseError
from pyenvc.docker import reference
from pyenvc.tooling import Document, Unrepresentable, split_reference

_WHOLE_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def _name(image: str) -> Optional[str]:
    try:
        return reference.parse(image).name
    except ValueError:
        return None


def bump(doc: Document, image: str, tag: str, keep_digest: bool = False) -> tuple[Document, list[str]]:
    """The document with every FROM of `image` at `tag`, and a note per FROM it could not bump."""
    wanted, notes = _name(image), []
    original = doc  # positions are the file's as it was; each edit gives a new document
    for stage in original.stages:
        base = stage.base
        if stage.parent is not None or base is None:
            continue
        line, column = original.source.position(base.span.start) if base.span.start >= 0 else (0, 0)
        if stage.resolved is None:  # a variable whose value is not known here
            written_name = split_reference(base.value)[0]
            if "$" not in written_name and _name(written_name) == wanted:
                notes.append(f"{line}:{column}: the image '{base.raw}' takes its tag from a variable: bump its ARG")
            continue
        if _name(stage.resolved) != wanted:
            continue
        name, old_tag, digest = split_reference(stage.resolved)  # the name as the file spells it
        if old_tag == tag and (digest is None or keep_digest):
            continue
        new = f"{name}:{tag}" + (f"@{digest}" if digest and keep_digest else "")
        variable = _WHOLE_VARIABLE.fullmatch(base.value)
        try:
            if variable is not None:
                doc = doc.with_arg_default(variable.group(1) or variable.group(2), new)
            elif "$" in base.value:
                notes.append(f"{line}:{column}: the image '{base.raw}' takes its tag from a variable: bump its ARG")
            else:
                doc = doc.with_base_image(stage.index, new)
        except (Unrepresentable, KeyError) as problem:
            notes.append(f"{line}:{column}: cannot bump '{base.raw}': {problem}")
    return doc, notes


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bump_base_image", description=__doc__.split("\n\n")[0])
    parser.add_argument("image")
    parser.add_argument("tag")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file would change")
    parser.add_argument("--keep-digest", action="store_true", help="keep a digest pin (it must match the new tag)")
    args = parser.parse_args(argv)
    if _name(args.image) is None or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", args.tag):
        parser.error("IMAGE must be an image name and TAG a Docker tag")
    status = 0
    for path in args.files:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
                doc = Document.parse(f.read())
        except (OSError, ParseError) as problem:
            print(f"{path}: {problem}", file=sys.stderr)
            return 2
        bumped, notes = bump(doc, args.image, args.tag, args.keep_digest)
        for note in notes:
            print(f"{path}:{note}", file=sys.stderr)
        if bumped.text == doc.text:
            continue
        if args.check:
            print(f"{path}: would bump {args.image} to {args.tag}")
            status = 1
        else:
            with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                f.write(bumped.text)
            print(f"{path}: bumped {args.image} to {args.tag}")
    return status


if __name__ == "__main__":
    sys.exit(main())
