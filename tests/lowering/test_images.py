"""`parse_image` reads a FROM word with Docker's reference grammar (pyenvc.docker.reference):
familiar names are normalised as Docker normalises them, and a word Docker refuses is no image."""

from __future__ import annotations

import pytest

import pyenvc
from pyenvc.lowering.images import ImageRef, parse_image


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("python:3.12", "docker.io/library/python"),
        ("docker.io/python", "docker.io/library/python"),
        ("index.docker.io/apache/airflow", "docker.io/apache/airflow"),
        ("quay.io/astronomer/astro-runtime", "quay.io/astronomer/astro-runtime"),
    ],
)
def test_names_are_normalised_as_docker_does(text, name) -> None:
    got = parse_image(text)
    assert got is not None and got.name == name


@pytest.mark.parametrize("text", ["python:3.12é", "python@sha256:abc", "Python", "python:", "a b"])
def test_what_docker_refuses_is_no_image(text) -> None:
    assert parse_image(text) is None


def test_digest_and_tag_are_kept() -> None:
    digest = "sha256:" + "ab" * 32
    assert parse_image(f"python:3.12@{digest}") == ImageRef("docker.io/library/python", "3.12", digest)


def test_the_legacy_hub_domain_is_docker_hub() -> None:
    # index.docker.io/apache/airflow is apache/airflow: its user, home and flavour are known
    result = pyenvc.compile("FROM index.docker.io/apache/airflow:2.10.5\nPYENV 3.11 a\n")
    assert [d.code for d in result.diagnostics] == [] and result.output is not None
