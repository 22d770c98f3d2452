"""Image references as Docker reads them: what is accepted, how familiar names are normalised,
and why each refused word is refused (distribution/reference's grammar and go-digest)."""

from __future__ import annotations

import pytest

from pyenvc.docker import reference
from pyenvc.docker.reference import InvalidReference

SHA256 = "sha256:" + "0123456789abcdef" * 4
SHA512 = "sha512:" + "0123456789abcdef" * 8


@pytest.mark.parametrize(
    ("text", "domain", "path", "tag", "digest"),
    [
        ("python", "docker.io", "library/python", None, None),
        ("python:3.12-slim-bookworm", "docker.io", "library/python", "3.12-slim-bookworm", None),
        ("apache/airflow:2.10.5", "docker.io", "apache/airflow", "2.10.5", None),
        ("docker.io/python", "docker.io", "library/python", None, None),
        ("index.docker.io/apache/airflow", "docker.io", "apache/airflow", None, None),
        ("ghcr.io/astral-sh/uv:0.13.9", "ghcr.io", "astral-sh/uv", "0.13.9", None),
        ("quay.io/astronomer/astro-runtime:12.1.0-base", "quay.io", "astronomer/astro-runtime", "12.1.0-base", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/a/b/c:t", "localhost:5000", "a/b/c", "t", None),
        ("registry:5000/app", "registry:5000", "app", None, None),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1", None),
        ("127.0.0.1/app", "127.0.0.1", "app", None, None),
        ("Registry/app", "Registry", "app", None, None),  # an upper-case first word is a domain
        ("localhost", "docker.io", "library/localhost", None, None),  # alone, it is a name
        ("a__b/c--d/e.f_g", "docker.io", "a__b/c--d/e.f_g", None, None),
        ("python:_", "docker.io", "library/python", "_", None),
        ("python:A." + "x" * 126, "docker.io", "library/python", "A." + "x" * 126, None),
        ("python@" + SHA256, "docker.io", "library/python", None, SHA256),
        ("python:3.12@" + SHA256, "docker.io", "library/python", "3.12", SHA256),
        ("python@" + SHA512, "docker.io", "library/python", None, SHA512),
    ],
)
def test_valid(text, domain, path, tag, digest) -> None:
    got = reference.parse(text)
    assert (got.domain, got.path, got.tag, got.digest) == (domain, path, tag, digest)
    assert reference.is_valid(text)
    assert got.name == f"{domain}/{path}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "at least one component"),
        ("0123456789abcdef" * 4, "64-character hexadecimal"),
        ("Python", "must be lowercase"),
        ("library/Python:3.12", "must be lowercase"),
        ("python:", "invalid reference format"),
        (":3.12", "invalid reference format"),
        ("python:3.12:1", "invalid reference format"),
        ("python:.x", "invalid reference format"),  # a tag starts with a word character
        ("python:-x", "invalid reference format"),
        ("python:" + "x" * 129, "invalid reference format"),  # 128 characters at most
        ("python:3.12é", "invalid reference format"),  # Go's \w is ASCII
        ("pythön", "invalid reference format"),
        ("a b", "invalid reference format"),
        ("python\n", "invalid reference format"),
        ("python ", "invalid reference format"),
        ("a/b//c", "invalid reference format"),
        ("a/b/", "invalid reference format"),
        ("/a", "invalid reference format"),
        ("a..b", "invalid reference format"),
        ("a___b", "invalid reference format"),
        ("-a", "invalid reference format"),
        ("a-", "invalid reference format"),
        ("a.", "invalid reference format"),
        ("host:port/app", "invalid reference format"),  # a port is digits
        ("-host.io/app", "invalid reference format"),
        ("host-.io/app", "invalid reference format"),
        ("[fe80::1%eth0]/app", "invalid reference format"),  # no IPv6 zones
        ("python@sha256:abc", "invalid reference format"),  # fewer than 32 hex digits
        ("python@sha256:" + "a" * 63, "digest length"),
        ("python@sha256:" + "a" * 65, "digest length"),
        ("python@sha256:" + "A" * 64, "lower-case"),
        ("python@md5:" + "a" * 32, "unsupported digest algorithm"),
        ("python@sha384:" + "a" * 96, "unsupported digest algorithm"),
        ("python@" + SHA256 + ":x", "invalid reference format"),
        ("python$x", "invalid reference format"),
        ("python,x", "invalid reference format"),
        ("'python'", "invalid reference format"),
        ("a/" + "b" * 254, "more than 255 characters"),
    ],
)
def test_invalid(text, why) -> None:
    with pytest.raises(InvalidReference, match=why):
        reference.parse(text)
    assert not reference.is_valid(text)


def test_the_length_limit_counts_the_path_without_the_domain() -> None:
    # distribution/reference v0.6: the 255 characters are the repository path's ("library/" included)
    assert reference.is_valid("a" * 247)  # library/ + 247 = 255
    assert not reference.is_valid("a" * 248)
    assert reference.is_valid("registry.example.com/" + "a" * 255)
    assert not reference.is_valid("registry.example.com/" + "a" * 256)


def test_not_a_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not bytes"):
        reference.parse(b"python")  # type: ignore[arg-type]
    assert not reference.is_valid(None)  # type: ignore[arg-type]


def test_invalid_reference_is_a_value_error() -> None:
    assert issubclass(InvalidReference, ValueError)


def test_str_gives_the_normalised_reference() -> None:
    assert str(reference.parse("python:3.12")) == "docker.io/library/python:3.12"
    assert str(reference.parse("ghcr.io/astral-sh/uv@" + SHA256)) == "ghcr.io/astral-sh/uv@" + SHA256
