"""FROM flags with quoted values (`--platform="linux/amd64 "`: white space inside quotes, single
quotes, escapes, a continuation) are read as BuildKit reads them, so the stages layout keeps the
image: the venv stage's FROM has the user's flags and image, and the user's stage keeps its own,
both as BuildKit reads them."""

from __future__ import annotations

import pytest

import pyenvc
from pyenvc.docker import buildkit

OPTIONS = dict(user="u", uid=1, home="/h", layout="stages")

FLAGS = [
    '--platform="linux/amd64 "',
    "--platform='linux/amd64 '",
    '--platform=" linux/amd64"',
    '--platform="linux/amd64\t"',
    '--platform="linux/amd64 \\" x"',
    '--platform="a b" --other="c d"',
    "--platform=linux/amd64\\ ",
    '--platform="$TARGETPLATFORM "',
    '--platform="linux/amd64 "\\\n ',
]
IMAGES = ["python:3.12", "quay.io/astronomer/astro-runtime:12.1.0", "${IMG}"]


def _from_lines(output: str) -> list[buildkit.Parsed]:
    """BuildKit's reading of each FROM of the output."""
    return [node.parsed for node in pyenvc.parse(output).instructions() if node.command == "from"]


@pytest.mark.parametrize("image", IMAGES)
@pytest.mark.parametrize("flags", FLAGS)
def test_the_stages_layout_keeps_the_image_and_the_flags(flags: str, image: str) -> None:
    user_from = f"FROM {flags} {image} AS app"
    text = f"ARG IMG=python:3.12\n{user_from}\nENV A=1\nPYENV 3.11 etl\n"
    result = pyenvc.compile(text, **OPTIONS)
    assert result.output is not None, result.diagnostics
    user = buildkit.parse_instruction(user_from.replace("\\\n", ""), "\\")
    base = user.next[0] + ("-base" if "astro-runtime" in image else "")
    env_stage, venv_stage, final = _from_lines(result.output)  # the ENV reaches the venv through an env stage
    assert env_stage.command.flags == user.command.flags
    assert env_stage.next == [base, "AS", "pyenvc-0-env"]
    assert venv_stage.next == ["pyenvc-0-env", "AS", "pyenvc-0-etl"]
    assert final.command.flags == user.command.flags
    assert final.next == [base, "AS", "app"]
    # and the whole output is what Docker reads back: compiled again, nothing changes
    assert pyenvc.compile(result.output, **OPTIONS).output == result.output
