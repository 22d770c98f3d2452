"""Inputs of thousands of stages: what was a walk up the chain per stage is a loop, once."""

from __future__ import annotations

import pyenvc

BASE = "quay.io/astronomer/astro-runtime:12.1.0"


def test_a_chain_of_stages_longer_than_the_recursion_limit_keeps_its_user() -> None:
    # the USER in effect is inherited through every FROM <earlier stage>: 1,500 of them
    text = f"FROM {BASE} AS s0\nUSER someone\n" + "".join(f"FROM s{i - 1} AS s{i}\n" for i in range(1, 1500))
    result = pyenvc.compile(text + "PYENV 3.11 v\n", layout="inline")
    assert not [d for d in result.diagnostics if d.severity == "error"]
    assert result.output is not None
    assert result.output.rstrip("\n").endswith("USER someone")  # restored after the venv


def test_stage_names_found_among_many_image_stages() -> None:
    # each FROM is looked up among the earlier stages' names; the last of a name wins
    stages = "".join(f"FROM {BASE} AS image{i}\nRUN true\n" for i in range(1000))
    text = f"FROM {BASE} AS s\nUSER first\n{stages}FROM {BASE} AS s\nUSER second\n{stages}FROM s\nPYENV 3.11 v\n"
    result = pyenvc.compile(text, layout="inline")
    assert result.output is not None
    assert result.output.rstrip("\n").endswith("USER second")
