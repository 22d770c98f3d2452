"""Docker image references, read as Docker reads them (github.com/distribution/reference,
`ParseNormalizedNamed`, and go-digest for the digest).

In: a word such as `python:3.12-slim`, `ghcr.io/astral-sh/uv:0.13.9` or `repo@sha256:<hex>`.
Out: a `Reference` (domain, repository path, tag, digest), the familiar name normalised as
Docker normalises it (`python` is `docker.io/library/python`); or `InvalidReference`, a
ValueError whose message says what Docker would object to.

The grammar (reference.go's own summary of it):

    reference   := name [ ":" tag ] [ "@" digest ]
    name        := [ domain "/" ] path
    domain      := host [ ":" port ]          host: DNS-like components, or [IPv6]
    path        := component ( "/" component )*
    component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag         := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
    digest      := algorithm ":" hex

A word is a domain only when it comes before the first `/` and has a `.` or a `:`, is
`localhost`, or has an upper-case letter; otherwise the whole name is the path on Docker Hub,
and a one-component path there gets `library/`. The path (without the domain) has at most 255
characters. A digest must use an algorithm go-digest registers by default, with exactly its
length of lower-case hex: sha256 (64) or sha512 (128). Everything is ASCII: Go's `\\w` is.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

__all__ = ["InvalidReference", "Reference", "is_valid", "parse"]

DEFAULT_DOMAIN = "docker.io"
_LEGACY_DOMAIN = "index.docker.io"  # the old name of Docker Hub's index: read as docker.io
_OFFICIAL_PREFIX = "library/"
MAX_PATH_LENGTH = 255

_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_COMPONENT = rf"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*"
_PATH = rf"{_COMPONENT}(?:/{_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

# domain/path, then an optional tag and digest; the domain is not optional here because the
# caller has already split it off (`_split_domain`) and always puts one in front
_REFERENCE = re.compile(rf"({_DOMAIN})/({_PATH})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)
_IDENTIFIER = re.compile(r"[a-f0-9]{64}", re.ASCII)
_DIGEST_LENGTHS = {"sha256": 64, "sha512": 128}  # hex characters
_LOWER_HEX = re.compile(r"[a-f0-9]+", re.ASCII)


class InvalidReference(ValueError):
    """The text is not a reference Docker accepts; the message says why."""


class Reference(NamedTuple):
    domain: str  # the registry, with its port: docker.io, ghcr.io, localhost:5000
    path: str  # the repository inside it: library/python, astral-sh/uv
    tag: Optional[str]  # None: no tag given (Docker then means `latest` unless a digest is given)
    digest: Optional[str]  # algorithm:hex, or None

    @property
    def name(self) -> str:
        """The normalised repository name: docker.io/library/python."""
        return f"{self.domain}/{self.path}"

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest is not None else ""
        return f"{self.name}{tag}{digest}"


def _split_domain(text: str) -> tuple[str, str]:
    """(domain, the rest), as splitDockerDomain decides whether the first word is a registry."""
    first, slash, rest = text.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, _OFFICIAL_PREFIX + text
    if first == _LEGACY_DOMAIN:
        domain, rest = DEFAULT_DOMAIN, rest
    elif first == "localhost" or "." in first or ":" in first or first.lower() != first:
        domain = first
    else:
        domain, rest = DEFAULT_DOMAIN, text
    if domain == DEFAULT_DOMAIN and "/" not in rest:
        rest = _OFFICIAL_PREFIX + rest
    return domain, rest


def _check_digest(digest: str) -> None:
    algorithm, _, encoded = digest.partition(":")
    length = _DIGEST_LENGTHS.get(algorithm)
    if length is None:
        raise InvalidReference(f"unsupported digest algorithm '{algorithm}' (expected sha256 or sha512)")
    if len(encoded) != length:
        raise InvalidReference(f"invalid checksum digest length: {algorithm} needs {length} hex digits")
    if not _LOWER_HEX.fullmatch(encoded):
        raise InvalidReference("invalid checksum digest format: the hex digits must be lower-case")


def parse(text: str) -> Reference:
    """The reference `text` names; raises InvalidReference (a ValueError) when Docker would
    refuse it, TypeError when it is not a str."""
    if not isinstance(text, str):
        raise TypeError(f"an image reference is a str, not {type(text).__name__}")
    if not text:
        raise InvalidReference("repository name must have at least one component")
    if _IDENTIFIER.fullmatch(text):
        raise InvalidReference("invalid repository name: cannot be a 64-character hexadecimal string")
    domain, rest = _split_domain(text)
    repository = rest.split(":", 1)[0].split("@", 1)[0]
    if repository.lower() != repository:
        raise InvalidReference(f"repository name '{repository}' must be lowercase")
    match = _REFERENCE.fullmatch(f"{domain}/{rest}")
    if match is None:
        raise InvalidReference("invalid reference format")
    domain, path, tag, digest = match.groups()
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidReference(f"repository name must not be more than {MAX_PATH_LENGTH} characters")
    if digest is not None:
        _check_digest(digest)
    return Reference(domain, path, tag, digest)


def is_valid(text: str) -> bool:
    """Whether Docker accepts `text` as an image reference."""
    try:
        parse(text)
    except (InvalidReference, TypeError):
        return False
    return True
