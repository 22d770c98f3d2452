"""Base-image knowledge: which images are Astro Runtime or `apache/airflow`, their runtime user,
uid, home and the Debian flavour their copied interpreters must match; and how BuildKit
resolves a `FROM` word from the global `ARG`s and `--build-arg` values.

In: a FROM word, the global ARGs seen so far, the build args. Out: a `BaseImage`.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

import attrs

from pyenvc.docker import reference

ASTRO_RUNTIME_IMAGES = (
    "quay.io/astronomer/astro-runtime",  # Airflow 2, tags like 12.1.0
    "astrocrpublic.azurecr.io/runtime",  # Airflow 3 (tags like 3.0-1) and Airflow 2 runtimes
)
AIRFLOW_IMAGES = ("docker.io/apache/airflow",)
# The project directory of Astro Runtime images (their WORKDIR and AIRFLOW_HOME).
ASTRO_PROJECT_DIR = "/usr/local/airflow"

DEFAULT_USER = "astro"
DEFAULT_UID = 50000
DEFAULT_HOME = "/home/astro"
DEFAULT_FLAVOUR = "slim-bookworm"


@attrs.frozen
class ImageRef:
    """A parsed image reference, as docker's reference.ParseNormalizedNamed reads one."""

    name: str  # normalised repository: docker.io/library/python, quay.io/astronomer/astro-runtime
    tag: Optional[str]
    digest: Optional[str]


def parse_image(text: str) -> Optional[ImageRef]:
    """None when `text` is not a valid reference (`pyenvc.docker.reference` says why)."""
    try:
        ref = reference.parse(text)
    except reference.InvalidReference:
        return None
    return ImageRef(ref.name, ref.tag, ref.digest)


@attrs.frozen
class RuntimeVersion:
    text: str  # the version part of the tag: 12.1.0, 3.0-1
    flavour: Optional[str]  # None when the version is not one the table knows


def runtime_flavour(tag: str) -> RuntimeVersion:
    """The interpreter flavour for an Astro Runtime tag (the old frontend's table)."""
    version = re.sub(r"-base\Z", "", tag)
    version = re.sub(r"-python-\d+(\.\d+)*\Z", "", version)
    airflow3 = re.match(r"(\d+)\.(\d+)-(\d+)\Z", version)
    if airflow3:  # Runtime 3.x: Airflow 3
        return RuntimeVersion(version, "slim-bookworm")
    match = re.match(r"(\d+)\.(\d+)\.(\d+)\Z", version)
    if not match:
        return RuntimeVersion(version, None)
    major, minor = int(match.group(1)), int(match.group(2))
    if major >= 12:
        return RuntimeVersion(version, "slim-bookworm")
    if major == 11 and minor in (13, 14):  # released on bookworm by mistake
        return RuntimeVersion(version, "slim-bookworm")
    return RuntimeVersion(version, "slim-bullseye")


@attrs.frozen
class BaseImage:
    """What the compiler knows about a stage's base image."""

    kind: str  # "runtime", "airflow", "stage", "scratch", "unknown"
    user: Optional[str]  # the image's own user; None when unknown
    uid: int
    home: str
    flavour: Optional[str]  # None: not known from the image
    image: Optional[ImageRef] = None
    # for runtime images: the tag is a `-base` tag already (no ONBUILD triggers)
    is_base_tag: bool = False


def classify(ref: Optional[ImageRef], runtime_images: tuple[str, ...] = ()) -> BaseImage:
    if ref is None:
        return BaseImage("unknown", None, DEFAULT_UID, DEFAULT_HOME, None)
    runtimes = {n for n in ASTRO_RUNTIME_IMAGES}
    runtimes.update(parse_image(n).name if parse_image(n) else n for n in runtime_images)
    if ref.name in runtimes:
        flavour = runtime_flavour(ref.tag).flavour if ref.tag else None
        return BaseImage(
            "runtime",
            "astro",
            50000,
            "/home/astro",
            flavour,
            ref,
            bool(ref.tag and ref.tag.endswith("-base")),
        )
    if ref.name in AIRFLOW_IMAGES:
        return BaseImage("airflow", "airflow", 50000, "/home/airflow", "slim-bookworm", ref)
    if ref.name == "docker.io/library/scratch":
        return BaseImage("scratch", None, DEFAULT_UID, DEFAULT_HOME, None, ref)
    return BaseImage("unknown", None, DEFAULT_UID, DEFAULT_HOME, None, ref)


# --- ARG expansion, as BuildKit's shell lexer (frontend/dockerfile/shell/lex.go) does it --------


class Unresolved(Exception):
    """The word uses a variable or a form whose value is not known at compile time."""


_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")


def expand(word: str, env: Mapping[str, Optional[str]], escape: str = "\\") -> str:
    """Expand `$X`, `${X}`, `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}` with quote removal.

    Raises Unresolved when a variable has no value (an `ARG` without default and no
    `--build-arg`, or one never declared) or the form is one this does not model.
    """
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == escape:
            if i + 1 < n:
                out.append(word[i + 1])
                i += 2
            else:
                out.append(ch)
                i += 1
        elif ch == "'":
            end = word.find("'", i + 1)
            if end < 0:
                raise Unresolved("unterminated single quote")
            out.append(word[i + 1 : end])
            i = end + 1
        elif ch == '"':
            i += 1
            while i < n and word[i] != '"':
                if word[i] == escape and i + 1 < n and word[i + 1] in ('"', "$", escape):
                    out.append(word[i + 1])
                    i += 2
                elif word[i] == "$":
                    value, i = _dollar(word, i, env, escape)
                    out.append(value)
                else:
                    out.append(word[i])
                    i += 1
            if i >= n:
                raise Unresolved("unterminated double quote")
            i += 1
        elif ch == "$":
            value, i = _dollar(word, i, env, escape)
            out.append(value)
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _lookup(name: str, env: Mapping[str, Optional[str]]) -> Optional[str]:
    return env.get(name)


def _dollar(word: str, i: int, env: Mapping[str, Optional[str]], escape: str) -> tuple[str, int]:
    """Expand the `$...` at word[i]; return the value and the index after it."""
    n = len(word)
    if i + 1 >= n:
        return "$", i + 1
    nxt = word[i + 1]
    if nxt == "{":
        j = i + 2
        start = j
        while j < n and _NAME_CHAR.match(word[j]):
            j += 1
        name = word[start:j]
        if not name or not _NAME_START.match(name[0]):
            raise Unresolved("unsupported ${...} form")
        if j < n and word[j] == "}":
            value = _lookup(name, env)
            if value is None:
                raise Unresolved(name)
            return value, j + 1
        op = ""
        if word.startswith(":-", j) or word.startswith(":+", j):
            op, j = word[j : j + 2], j + 2
        elif j < n and word[j] in "-+":
            op, j = word[j], j + 1
        else:
            raise Unresolved("unsupported ${...} form")
        depth, k = 0, j
        while k < n and not (word[k] == "}" and depth == 0):
            if word[k] == "{":
                depth += 1
            elif word[k] == "}":
                depth -= 1
            k += 1
        if k >= n:
            raise Unresolved("unterminated ${")
        inner = word[j:k]
        value = _lookup(name, env)
        declared = name in env
        if op == ":-":
            result = value if value else expand(inner, env, escape)
        elif op == "-":
            result = value if declared and value is not None else expand(inner, env, escape)
        elif op == ":+":
            result = expand(inner, env, escape) if value else ""
        else:  # "+"
            result = expand(inner, env, escape) if declared and value is not None else ""
        return result, k + 1
    if _NAME_START.match(nxt):
        j = i + 1
        while j < n and _NAME_CHAR.match(word[j]):
            j += 1
        value = _lookup(word[i + 1 : j], env)
        if value is None:
            raise Unresolved(word[i + 1 : j])
        return value, j
    if nxt.isdigit() or nxt in "@*#?$!-":
        raise Unresolved("special parameter")
    return "$", i + 1
