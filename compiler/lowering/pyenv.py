"""One PYENV instruction read and checked: its flags, version, venv name and requirements.

In: a typed `Pyenv` node, the venv names its stage already has, the options and the build
context. Out: a `Venv` (what to build), or None with every problem reported (a PYENV with an
error is not built, and checking goes on with the next one).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

from pyenvc.lowering import images, pythons, requirement_checks
from pyenvc.lowering.context import path_problem
from pyenvc.lowering.options import INSTALLERS, Options
from pyenvc.lowering.report import Reporter
from pyenvc.lowering.requirements import Requirements
from pyenvc.syntax.emitter import Unrepresentable, check_word
from pyenvc.syntax.tree import Instruction, Pyenv, Word

_VENV_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")
_HEREDOC = re.compile(r"[0-9]*<<")  # BuildKit's `\d` is Go's: ASCII digits
FLAGS = ("installer", "python-image")
_DIRECTORY_HINT = "name the requirements file itself, e.g. `requirements/analytics.txt`"


class Venv(NamedTuple):
    """A PYENV that passed every check: what its lowering builds."""

    node: Pyenv
    line: int  # the PYENV's first line, for the `# PYENV line N` comments
    version: pythons.PythonVersion
    version_word: Word  # where stage-level findings about the version point
    name: str
    requirements: Optional[Requirements]  # a file of the build context, or a heredoc's body
    image: Optional[str]  # --python-image, else None (the official image)
    installer: str


def read(node: Pyenv, line: int, names: dict[str, int], options: Options, escape: str, reporter: Reporter) -> Optional[Venv]:
    """The PYENV's venv, or None when it has errors; `names` (venv name -> line) gains its name."""
    words = [flag.word for flag in node.flags] + list(node.words)
    ok = True
    flags: dict[str, str] = {}
    positional: list[Word] = []
    markers: list[tuple[Word, int]] = []  # each heredoc marker, and how many arguments precede it
    for word in words:
        if _HEREDOC.match(word.value):
            markers.append((word, len(positional)))
        elif "$" in word.value:
            reporter.report(node, word, "PYENV005", f"variables are not expanded in PYENV: '{word.value}'",
                            "write the value itself; PYENV words are used as written")
            ok = False
        elif word.value.startswith("--"):
            if positional:
                reporter.report(node, word, "PYENV009", f"flag '{word.value}' comes after the arguments",
                                "put flags right after PYENV, before the Python version")
                ok = False
            else:
                ok = _flag(node, word, flags, reporter) and ok
        elif not positional and word.value.startswith("["):
            reporter.report(node, word, "PYENV003", "PYENV does not take the JSON form",
                            "write the words plainly: `PYENV 3.11 name requirements.txt`")
            return None
        else:
            positional.append(word)
    if not ok:
        return None
    inline: Optional[str] = None
    if markers:
        inline = _heredoc(node, markers, len(positional), reporter)
        if inline is None:
            return None
    if len(positional) < 2:
        what = "a Python version and a venv name" if not positional else "a venv name"
        reporter.report(node, None, "PYENV006", f"PYENV needs {what}",
                        "write `PYENV <python-version> <venv-name> [<requirements-file>]`")
        return None
    if len(positional) > 3:
        reporter.report(
            node, positional[3], "PYENV007",
            f"PYENV takes at most 3 arguments, found {len(positional)}: unexpected '{positional[3].value}'",
            "write one PYENV per venv: `PYENV <python-version> <venv-name> [<requirements-file>]`",
        )
        return None
    version_word, name_word = positional[0], positional[1]
    requirements_word = positional[2] if len(positional) > 2 else None
    version = _version(node, version_word, reporter)
    ok = version is not None
    ok = _name(node, name_word, line, names, reporter) and ok
    installer = flags.get("installer", options.installer)
    requirements: Optional[Requirements] = None
    if (
        requirements_word is not None
        and requirement_checks.installable(node, requirements_word, installer, reporter)
        and _requirements(node, requirements_word, options, escape, reporter)
    ):
        requirements = requirement_checks.from_file(node, requirements_word, installer, options, reporter)
    elif inline is not None:
        requirements = requirement_checks.from_heredoc(node, node.heredocs[0], inline, reporter)
    if (requirements_word is not None or inline is not None) and requirements is None:
        ok = False
    if not ok or version is None:
        return None
    return Venv(
        node,
        line,
        version,
        version_word,
        name_word.value,
        requirements,
        flags.get("python-image"),
        installer,
    )


def _heredoc(node: Pyenv, markers: list[tuple[Word, int]], arguments: int, reporter: Reporter) -> Optional[str]:
    """The inline requirements: the body of the one heredoc, which must be the last word, after
    the venv name, with no requirements path (None, reported, otherwise). `<<-` strips the
    body lines' leading tabs, as BuildKit does for RUN and COPY."""
    (word, before), *others = markers
    if others:
        reporter.report(node, others[0][0], "PYENV027", "PYENV takes one heredoc, found a second",
                        "write every requirement in the one heredoc, one a line")
        return None
    if before < 2:
        reporter.report(node, word, "PYENV028", f"heredoc '{word.value}' comes before the venv name",
                        "write the heredoc last: `PYENV 3.12 name <<EOF`")
        return None
    if arguments > 2:
        reporter.report(node, word, "PYENV026", f"PYENV has both a requirements path and the heredoc '{word.value}'",
                        "keep one: the requirements file's path, or the heredoc with the requirements inline")
        return None
    if len(node.heredocs) != 1 or node.heredocs[0].file_descriptor:
        reporter.report(node, word, "PYENV029", f"heredoc marker '{word.value}' opens no heredoc PYENV can read",
                        "write `<<EOF`, `<<-EOF` or a quoted delimiter such as `<<'EOF'`, without a file descriptor")
        return None
    heredoc = node.heredocs[0]
    if not heredoc.chomp:
        return heredoc.content
    return "\n".join(line.lstrip("\t") for line in heredoc.content.split("\n"))


def _version(node: Instruction, word: Word, reporter: Reporter) -> Optional[pythons.PythonVersion]:
    version = pythons.parse_version(word.value)
    if version == "python2":
        reporter.report(node, word, "PYENV011", f"Python 2 has no venv module: '{word.value}'",
                        "use a Python 3 version such as 3.12")
        return None
    if version == "unknown":
        reporter.report(node, word, "PYENV024",
                        f"no CPython has the version '{word.value}': the known versions are {pythons.known_versions()}",
                        f"write a known version such as 3.{pythons.NEWEST_MINOR}")
        return None
    if isinstance(version, str):
        reporter.report(
            node, word, "PYENV023",
            f"invalid Python version '{word.value}', expected 3.Y or 3.Y.Z in ASCII digits without leading zeros"
            " (a pre-release in full: 3.Y.0rc1)",
            "write a version such as 3.12, 3.12.4 or 3.14.0rc1",
        )
        return None
    if version.minor == pythons.PRERELEASE_MINOR:
        reporter.report(node, word, "PYENV106",
                        f"Python {version.major_minor} is not released yet: only its pre-releases exist"
                        f" (images such as python:{version.major_minor}.0a1-<flavour>)",
                        f"use Python 3.{pythons.NEWEST_MINOR}, the newest release, or name a pre-release in full"
                        f" (`{version.major_minor}.0a1`) to test with one")
    return version


def _name(node: Instruction, word: Word, line: int, names: dict[str, int], reporter: Reporter) -> bool:
    if not _VENV_NAME.match(word.value):
        suggestion = re.sub(r"[^A-Za-z0-9_-]+", "_", word.value) or "venv"
        reporter.report(node, word, "PYENV013",
                        f"invalid venv name '{word.value}', expected letters, digits, '_' and '-'",
                        f"rename the venv, e.g. `{suggestion}`")
        return False
    if word.value in names:
        reporter.report(node, word, "PYENV014",
                        f"venv '{word.value}' is already defined in this stage on line {names[word.value]}",
                        "give each venv in a stage its own name")
        return False
    names[word.value] = line
    if looks_secret(f"ASTRO_PYENV_{word.value}"):
        reporter.report(
            node, word, "PYENV107",
            f"venv name '{word.value}' makes `ENV ASTRO_PYENV_{word.value}` look like a secret to"
            " `docker build --check` (SecretsUsedInArgOrEnv) or hadolint (DL3064), which warn on that line",
            "rename the venv so that no '_'-separated part of it is auth, key, token, secret, password"
            " or the like and it holds no 'private', 'token', 'secret' or 'username', e.g. `auth-client`",
        )
    return True


# BuildKit's SecretsUsedInArgOrEnv rule (Docker 28, BuildKit 0.25): a key any of whose
# `_`-separated ends is one of these words, unless one is `public`. Later BuildKit releases
# allow `file` and `version` too; warning for those as well keeps the output clean on Docker 28.
_SECRET_WORDS = re.compile(
    r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)"
)
_ALLOWED_WORDS = re.compile(r"(?i)(?:_|^)public(?:_|$)")
# hadolint's DL3064 (2.15): a key that holds any of these, in any case, anywhere in it
_HADOLINT_SUBSTRINGS = ("api_key", "client_key", "password", "private", "secret", "token", "username")


def looks_secret(key: str) -> bool:
    """Whether BuildKit's linter or hadolint takes the ENV or ARG key `key` for sensitive data."""
    buildkit = bool(_SECRET_WORDS.search(key)) and not _ALLOWED_WORDS.search(key)
    return buildkit or any(part in key.lower() for part in _HADOLINT_SUBSTRINGS)


def _flag(node: Instruction, word: Word, flags: dict[str, str], reporter: Reporter) -> bool:
    name, eq, value = word.value[2:].partition("=")
    if name not in FLAGS:
        reporter.report(node, word, "PYENV008", f"unknown flag '--{name}'" if name else f"malformed flag '{word.value}'",
                        "use only `--installer=pip|uv` and `--python-image=IMAGE`: PYENV takes no other flag")
        return False
    if name in flags:
        reporter.report(node, word, "PYENV009", f"flag '--{name}' is given twice", "keep one of them")
        return False
    if not eq or not value:
        example = "pip" if name == "installer" else "python:3.12-slim-bookworm"
        reporter.report(node, word, "PYENV009", f"flag '--{name}' needs a value", f"write it as `--{name}={example}`")
        return False
    if name == "installer" and value not in INSTALLERS:
        reporter.report(node, word, "PYENV009", f"unknown installer '{value}', expected 'pip' or 'uv'",
                        "write `--installer=pip` or `--installer=uv`")
        return False
    if name == "python-image" and images.parse_image(value) is None:
        reporter.report(node, word, "PYENV009", f"invalid image reference '{value}'",
                        "name an image with CPython under /usr/local, e.g. `--python-image=python:3.12-slim-bookworm`")
        return False
    flags[name] = value
    return True


def _requirements(node: Instruction, word: Word, options: Options, escape: str, reporter: Reporter) -> bool:
    problem = path_problem(word.value)
    if problem is not None:
        code, detail = problem
        hint = "give a path relative to the build context, as COPY takes it"
        if code == "PYENV025":
            hint = _DIRECTORY_HINT
        elif code == "PYENV017":
            hint = "rename the file so its path has no glob characters, white space or quotes"
        reporter.report(node, word, code, f"requirements path '{word.value}' {detail}", hint)
        return False
    try:
        check_word(word.value, "the requirements path", escape)
    except Unrepresentable as unrepresentable:
        reporter.unrepresentable(node, word, unrepresentable)
        return False
    context = options.context
    if context is not None and context.is_directory(word.value):
        reporter.report(node, word, "PYENV025", f"requirements path '{word.value}' names a directory in the build context",
                        _DIRECTORY_HINT)
        return False
    if context is not None:
        why = context.missing(word.value)
        if why is not None:
            reporter.report(node, word, "PYENV018", f"requirements file '{word.value}' is not in the build context: {why}",
                            f"create it in the build context ({context.root}), fix the path, or change .dockerignore")
            return False
    return True
