"""Instructions BuildKit does not know. Its parser takes any keyword, and the build fails a step
later ("unknown instruction"), so a typo (`PYEVN`, `RUNN`, `FORM`) is reported here, at compile
time, with the nearest known keyword.

In: the parsed tree and the lowering's reporter. Out: DF012 (an error) for each instruction
whose keyword neither BuildKit nor pyenvc knows; DF101 (a warning) instead where the file's
`# syntax=` directive names a frontend other than Docker's own, which may add instructions.
An ONBUILD trigger is stored unread, so this image builds and every image built FROM it fails:
DF102, a warning (the file's own build is fine, and a frontend of the child's may know it).
"""

from __future__ import annotations

from typing import Optional

from pyenvc.docker.buildkit import COMMANDS
from pyenvc.lowering import frontends
from pyenvc.lowering.report import Reporter, keyword_of
from pyenvc.syntax.tree import Dockerfile, Onbuild

KNOWN = sorted(name.upper() for name in COMMANDS | {"pyenv"})


def nearest(keyword: str) -> Optional[str]:
    """The known keyword closest to `keyword`, in its case (`runn` -> `run`), or None."""
    import difflib  # only where there is a typo: every other run is spared its import

    found = difflib.get_close_matches(keyword.upper(), KNOWN, n=1, cutoff=0.6)
    if not found:
        return None
    return found[0].lower() if keyword.islower() else found[0]


def check_known(tree: Dockerfile, reporter: Reporter) -> None:
    syntax = next((d.value for d in tree.directives if d.name == "syntax"), None)
    other_frontend = syntax is not None and frontends.adds_instructions(syntax)
    for node in tree.instructions():
        if isinstance(node, Onbuild):
            _check_trigger(node, reporter)
        if node.command in COMMANDS or node.command == "pyenv":
            continue
        word = keyword_of(node)
        hint = _hint(node.keyword)
        if other_frontend:
            reporter.report(node, word, "DF101",
                            f"unknown instruction '{node.keyword}': Docker's own frontend would reject it,"
                            f" the `# syntax={syntax.strip()}` frontend may know it",
                            hint + " unless that frontend defines it")
        else:
            reporter.report(node, word, "DF012", f"unknown instruction '{node.keyword}'",
                            hint + ": Docker rejects unknown instructions when it builds")


def _hint(keyword: str) -> str:
    suggestion = nearest(keyword)
    if suggestion:
        return f"replace `{keyword}` with `{suggestion}`"
    return "use a known instruction (" + ", ".join(KNOWN) + ")"


def _check_trigger(node: Onbuild, reporter: Reporter) -> None:
    """DF102 for a trigger keyword BuildKit does not know (PYENV is PYENV002's, lower.py)."""
    word = node.trigger_keyword
    if word is None or word.value.lower() in COMMANDS or word.value.lower() == "pyenv":
        return
    reporter.report(node, word, "DF102",
                    f"unknown instruction '{word.value}' as an ONBUILD trigger: every image built FROM this one fails",
                    _hint(word.value))
