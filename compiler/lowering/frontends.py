"""Which frontend a `# syntax=` directive names: Docker's own (`docker/dockerfile`, with or
without a registry, tag or digest), the old PYENV frontend (whose directive the output drops),
or another one, which may add instructions of its own.

In: the directive's value as written. Out: a yes or no for each question.
"""

from __future__ import annotations

import re

from pyenvc.docker import reference

# `# syntax=` values that name the old PYENV frontend (`quay.io/astronomer/airflow-extensions:v1`;
# its own tests used `astronomer/astro-runtime`).
_OLD_FRONTEND = re.compile(r"(?:^|/)(?:airflow-extensions|astro-runtime)(?:[:@].*)?\Z")
# Docker's own Dockerfile frontends: the releases and the upstream builds of BuildKit's master.
DOCKER_FRONTENDS = frozenset({"docker.io/docker/dockerfile", "docker.io/docker/dockerfile-upstream"})


def is_old_frontend(value: str) -> bool:
    return bool(_OLD_FRONTEND.search(value.strip()))


def is_dockers_own(value: str) -> bool:
    """`docker/dockerfile:1`, `docker.io/docker/dockerfile:1.7-labs`, `docker/dockerfile@sha256:...`."""
    try:
        return reference.parse(value.strip()).name in DOCKER_FRONTENDS
    except reference.InvalidReference:
        return False


def adds_instructions(value: str) -> bool:
    """Whether the frontend the output is built with may know instructions Docker's does not:
    not Docker's own, and not the old PYENV frontend (the output drops that directive)."""
    return not is_dockers_own(value) and not is_old_frontend(value)
