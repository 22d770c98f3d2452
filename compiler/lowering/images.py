"""Base-image knowledge: which images are Astro Runtime or `apache/airflow`, their runtime user,
uid, home and the Debian flavour their copied interpreters must match.

In: a FROM word as BuildKit resolves it (docker/shell.py expands it). Out: a `BaseImage`.
"""

from __future__ import annotations

import re
from typing import Mapping, NamedTuple, Optional

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


class ImageRef(NamedTuple):
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


class RuntimeVersion(NamedTuple):
    text: str  # the version part of the tag: 12.1.0, 3.0-1
    flavour: Optional[str]  # None when the version is not one the table knows


def runtime_flavour(tag: str) -> RuntimeVersion:
    """The interpreter flavour for an Astro Runtime tag (the old frontend's table)."""
    version = re.sub(r"-base\Z", "", tag)
    version = re.sub(r"-python-[0-9]+(\.[0-9]+)*\Z", "", version)
    airflow3 = re.match(r"([0-9]+)\.([0-9]+)-([0-9]+)\Z", version)
    if airflow3:  # Runtime 3.x: Airflow 3
        return RuntimeVersion(version, "slim-bookworm")
    match = re.match(r"([0-9]+)\.([0-9]+)\.([0-9]+)\Z", version)
    if not match:
        return RuntimeVersion(version, None)
    major, minor = int(match.group(1)), int(match.group(2))
    if major >= 12:
        return RuntimeVersion(version, "slim-bookworm")
    if major == 11 and minor in (13, 14):  # released on bookworm by mistake
        return RuntimeVersion(version, "slim-bookworm")
    return RuntimeVersion(version, "slim-bullseye")


class BaseImage(NamedTuple):
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
