"""A PYENV's requirements checked against their kind and the installer: what `Requirements`
to install, or None with each problem reported.

In: the PYENV node, its requirements word (a path that passed the path checks) or its heredoc's
body, the installer, the options (the build context, where known). Out: `Requirements`, and
diagnostics for a lock kind pyenvc does not install, a kind the installer cannot install, a
uv.lock without its pyproject.toml or of a workspace, a requirements file that refers to files
the build will not see, and where hash-checking mode cannot be decided or is half asked for.
Findings inside a heredoc point at their line of the body; findings inside a file name the
file and line, at the path word.
"""

from __future__ import annotations

import os
import re
from typing import Optional

from pyenvc.lowering import requirements as kinds
from pyenvc.lowering.options import Options
from pyenvc.lowering.report import Reporter
from pyenvc.lowering.requirements import PYLOCK, REQUIREMENTS, UV_LOCK, Requirements
from pyenvc.source import Span
from pyenvc.syntax.tree import Heredoc, Instruction, Word

# uv writes a workspace's members into its lock's [manifest]; a workspace root's pyproject.toml
# has a [tool.uv.workspace] table (read as text: tomllib is not in every Python pyenvc runs on)
_LOCK_MEMBERS = re.compile(r"^\[manifest\]\s*\n(?:[^\[\n][^\n]*\n)*?members\s*=", re.MULTILINE)
_WORKSPACE_TABLE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*uv[ \t]*\.[ \t]*workspace[ \t]*\]", re.MULTILINE)
_UV = "add `--installer=uv` to the PYENV (or pass `--installer uv`)"


def installable(node: Instruction, word: Word, installer: str, reporter: Reporter) -> bool:
    """Whether the kind the file's name says is one the installer installs (else reported)."""
    path = word.value
    kind = kinds.kind_of(path)
    if kind in kinds.FOREIGN_LOCKS:
        reporter.report(node, word, "PYENV030",
                        f"'{path}' is a {kinds.FOREIGN_LOCKS[kind]} lock file, which PYENV does not install",
                        f"export it to a kind PYENV installs: {kinds.SUPPORTED}")
        return False
    if kind == "pylock-invalid":
        reporter.report(node, word, "PYENV035",
                        f"'{path}' is named like a PEP 751 lock but is not `pylock.toml` or `pylock.<name>.toml` (a name without dots)",
                        "rename it `pylock.toml` or `pylock.<name>.toml`, with no dot in <name>")
        return False
    if kind in (PYLOCK, UV_LOCK) and installer != "uv":
        reporter.report(node, word, "PYENV031", f"the {installer} installer cannot install the lock file '{path}'", _UV)
        return False
    return True


def from_file(node: Instruction, word: Word, installer: str, options: Options, reporter: Reporter) -> Optional[Requirements]:
    """The requirements file `word` names (its kind installable: see `installable`)."""
    path = word.value
    kind = kinds.kind_of(path)
    context = options.context
    if kind == UV_LOCK:
        return _uv_lock(node, word, options, reporter)
    if kind == PYLOCK:
        return Requirements(PYLOCK, path)
    text = _read(context.root, path) if context is not None else None
    if text is None:
        if installer == "uv":
            reporter.report(node, word, "PYENV108",
                            f"whether '{path}' installs in hash-checking mode is not known: the build context is not",
                            "pass `--context DIR` so pyenvc reads the file (uv needs `--require-hashes`; pip decides by itself)")
        return Requirements(REQUIREMENTS, path)
    findings = kinds.read(text)
    _report(node, findings, reporter, lambda line: word, f"'{path}' line {{line}}")
    if any(not ref.absolute for ref in findings.references):
        return None
    return Requirements(REQUIREMENTS, path, hashed=findings.hashed)


def from_heredoc(node: Instruction, heredoc: Heredoc, body: str, reporter: Reporter) -> Optional[Requirements]:
    """The requirements written inline (`body`: the heredoc's content, tabs stripped for `<<-`);
    findings point at their own line of the heredoc in the source."""
    findings = kinds.read(body)
    raw_lines = heredoc.content.split("\n")
    starts = [heredoc.start]
    for raw in raw_lines:
        starts.append(starts[-1] + len(raw) + 1)

    def at(line: kinds.Line) -> Word:
        raw = raw_lines[line.number - 1].rstrip("\r")
        start = starts[line.number - 1]
        return Word(raw, raw, Span(start, start + len(raw)))

    _report(node, findings, reporter, at, "the heredoc's line {line}")
    if any(not ref.absolute for ref in findings.references):
        return None
    return Requirements(REQUIREMENTS, inline=body, hashed=findings.hashed)


def _report(node: Instruction, findings: kinds.Findings, reporter: Reporter, at, where: str) -> None:
    for ref in findings.references:
        place = where.format(line=ref.line.number)
        if ref.absolute:
            reporter.report(node, at(ref.line), "PYENV110",
                            f"{place} names the {ref.what} '{ref.target}', an absolute path the image must already have",
                            "make sure the image has it at that path, or install it from an index")
        else:
            reporter.report(node, at(ref.line), "PYENV034",
                            f"{place} names the {ref.what} '{ref.target}', which the build does not see: only the named requirements are copied in",
                            "write its requirements into this file, or install the package from an index")
    for line, url in findings.credentials:
        reporter.report(node, at(line), "PYENV111",
                        f"{where.format(line=line.number)} has credentials in the URL '{url}...': they would land in a layer",
                        "remove them from the URL and give them as a build secret: `--secret id=netrc,src=$HOME/.netrc` (see the README)")
    if findings.partly_hashed is not None:
        line = findings.partly_hashed
        reporter.report(node, at(line), "PYENV109",
                        f"{where.format(line=line.number)} has no --hash, while other requirements do: pip refuses the file, uv checks only the hashes given",
                        "give every requirement its --hash (e.g. `uv pip compile --generate-hashes`), or none")


def _uv_lock(node: Instruction, word: Word, options: Options, reporter: Reporter) -> Optional[Requirements]:
    requirements = Requirements(UV_LOCK, word.value)
    context = options.context
    if context is None:
        return requirements
    lock, pyproject = requirements.project_files
    why = context.missing(pyproject)
    if why is not None:
        reporter.report(node, word, "PYENV032", f"'{lock}' has no pyproject.toml beside it in the build context: {why}",
                        f"put the project's pyproject.toml at '{pyproject}', next to its uv.lock")
        return None
    project, locked = _read(context.root, pyproject), _read(context.root, lock)
    if _WORKSPACE_TABLE.search(project) or _LOCK_MEMBERS.search(locked):
        reporter.report(node, word, "PYENV033", f"'{lock}' is the lock of a uv workspace, whose members PYENV does not copy in",
                        "export the packages the venv needs: `uv export --frozen --package NAME --format pylock.toml -o pylock.toml`, and name that")
        return None
    return requirements


def _read(root: str, path: str) -> str:
    try:
        with open(os.path.join(root, *path.split("/")), encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except OSError:
        return ""  # what cannot be read here, the build reports
