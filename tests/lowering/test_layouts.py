"""The stages layout (README.md, "Layouts"): each venv built in a stage of its own
FROM the stage's base image, then copied in; where that stage cannot reproduce what the venv
would be built on, the venv is built inline with warning PYENV105; numeric stage references
renumbered so each names the stage it named.

Properties over the corpus: with PYENV lines inserted, Docker's view of every instruction that
is not a PYENV is unchanged and in order once the generated lines are set aside, numeric
`--from=N` references compared by the stage they name; the last stage (the default target) is
the same; compiling the output again changes nothing; the output is deterministic.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytest

import pyenvc
from pyenvc.lowering.lower import Options, lower
from pyenvc.source import Source
from support import run_command
from test_compile_properties import _generated_lines, _with_from, insert_pyenvs

OPTIONS = {"user": "app", "uid": 1000, "home": "/home/app", "layout": "stages"}
VIEW_KEYS = ("cmd", "sub_cmd", "json", "original", "flags", "next", "heredocs", "dump")
_REF = re.compile(r"((?:--from=|\bfrom=))(\d+)", re.IGNORECASE)


def _view(text: str, skip_lines: set[int]) -> tuple[list, list]:
    """The commands not on `skip_lines` (PYENV aside), numeric stage references replaced by the
    FROM line of the stage they name in `text`; and the FROM lines of every stage."""
    commands = pyenvc.to_buildkit(pyenvc.parse(text))["commands"]
    stages = [c["original"] for c in commands if c["cmd"].lower() == "from"]
    view = []
    for c in commands:
        if c["start_line"] in skip_lines or c["cmd"].lower() == "pyenv":
            continue
        item = json.dumps({k: c.get(k) for k in VIEW_KEYS}, ensure_ascii=False)
        if c["cmd"].lower() in ("copy", "add", "run"):
            def name(m: re.Match) -> str:
                n = int(m.group(2))
                return m.group(1) + (f"<stage {stages[n]!r}>" if n < len(stages) else m.group(2))
            item = _REF.sub(name, item)
        view.append(item)
    return view, stages


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_stages_keep_dockers_view_of_everything_else(corpus, data) -> None:
    file = data.draw(st.sampled_from(_with_from(corpus)), label="file")
    text = insert_pyenvs(data, file, ["3.8", "3.11", "3.12.4"], ("", "--installer=uv "))
    result = pyenvc.compile(text, **OPTIONS)
    assert result.output is not None, result.diagnostics
    lowered, _ = lower(pyenvc.parse(text), Source(text), Options(**OPTIONS))
    before, stages_before = _view(text, set())
    after, stages_after = _view(result.output, _generated_lines(lowered, result.output))
    assert after == before
    assert stages_after[-1] == stages_before[-1]  # the default target
    assert pyenvc.compile(result.output, **OPTIONS).output == result.output  # stable
    assert pyenvc.compile(text, **OPTIONS).output == result.output  # deterministic


def out(text: str, **options) -> tuple[str, list[str]]:
    result = pyenvc.compile(text, **options)
    assert result.output is not None, result.diagnostics
    return result.output, [d.code for d in result.diagnostics if d.code != "PYENV101"]


R = "FROM quay.io/astronomer/astro-runtime:12.1.0\n"


def test_stages_is_the_default() -> None:
    assert pyenvc.compile(R + "PYENV 3.11 a\n").output == pyenvc.compile(R + "PYENV 3.11 a\n", layout="stages").output
    assert "AS pyenvc-0-a\n" in out(R + "PYENV 3.11 a\n")[0]


def test_venv_stage_from_the_base_then_copied_in() -> None:
    text, codes = out(R + "ENV PIP_INDEX_URL=https://example/simple\nUSER root\nPYENV 3.11 a r.txt\nRUN true\n",
                      installer="pip")
    assert codes == []
    generated, final = text.split("\nFROM quay.io/astronomer/astro-runtime:12.1.0-base\n")
    env_stage, venv_stage = generated.split("\nFROM pyenvc-0-env AS pyenvc-0-a\n")
    # the ENV before the PYENV reaches the venv stage through an env stage built FROM the base
    assert "FROM quay.io/astronomer/astro-runtime:12.1.0-base AS pyenvc-0-env\n" in env_stage
    assert env_stage.endswith("\nENV PIP_INDEX_URL=https://example/simple\n# PYENV line 4: the venv a, built in a stage of its own")
    assert "PIP_INDEX_URL" not in venv_stage and "packages.txt" not in venv_stage
    assert venv_stage.count("USER root\n") <= 1
    assert "-m pip install" in "\n".join(map(run_command, venv_stage.splitlines())) and "ASTRO_PYENV_a" not in venv_stage
    assert (
        "COPY --link --chown=50000:0 --from=pyenvc-0-a /home/astro/.venv/a /home/astro/.venv/a\n"
        "ENV ASTRO_PYENV_a=/home/astro/.venv/a/bin/python\n"
    ) in final
    # the interpreter straight from its image (the final stage need not wait for the venv stage)
    assert "COPY --link --from=python:3.11-slim-bookworm /usr/local/lib/python3.11 /opt/pyenvc/python3.11/lib/python3.11/\n" in final
    assert "--from=pyenvc-0-a /opt/pyenvc" not in final
    # root, the USER in effect before the PYENV, is in effect after it: no USER line says it again
    after = final[final.index("# PYENV line 4\n"):]
    assert "USER " not in after  # the user's own USER root stands right before the PYENV
    assert final.endswith("COPY --chown=astro:0 . /usr/local/airflow/\nRUN true\n")


def test_a_run_before_the_pyenv_keeps_that_venv_inline_with_a_warning() -> None:
    text, codes = out(R + "PYENV 3.11 a\nRUN apt-get update\nPYENV 3.12 b\n", installer="pip")
    assert codes == ["PYENV105"]
    assert "AS pyenvc-0-a" in text and "pyenvc-0-b" not in text
    assert any(run_command(line).startswith("/opt/pyenvc/python3.12/bin/python3.12 -m venv /home/astro/.venv/b ")
               for line in text.splitlines())
    diagnostic = pyenvc.compile(R + "COPY x /x\nPYENV 3.11 a\n").diagnostics[0]
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("PYENV105", 3, 1)
    assert "line 2 (COPY)" in diagnostic.message


def test_onbuild_and_metadata_before_the_pyenv_do_not_stop_a_stage() -> None:
    text, codes = out("FROM debian:bookworm-slim AS app\nONBUILD RUN x\nWORKDIR /w\nSHELL [\"pwsh\"]\nPYENV 3.11 a\n", uid=1, home="/h")
    assert codes == []
    assert "FROM debian:bookworm-slim AS pyenvc-0-a\n" in text
    assert text.index("AS pyenvc-0-a") < text.index("FROM debian:bookworm-slim AS app\n")


def test_named_stage_keeps_its_name_and_target() -> None:
    text, _ = out("FROM debian:bookworm-slim AS app\nPYENV 3.11 a\nFROM app\nRUN x\n", uid=1, home="/h")
    stages = [c["original"] for c in pyenvc.to_buildkit(pyenvc.parse(text))["commands"] if c["cmd"] == "FROM"]
    assert stages == [
        "FROM debian:bookworm-slim AS pyenvc-0-a",
        "FROM debian:bookworm-slim AS app",
        "FROM app",
    ]


def test_generated_stage_names_do_not_collide() -> None:
    text, _ = out("FROM debian:bookworm-slim AS pyenvc-0-a\nPYENV 3.11 a\nPYENV 3.12 A\n", uid=1, home="/h")
    assert "AS pyenvc-0-a-2\n" in text and "AS pyenvc-0-a-3\n" in text


def test_numeric_references_renumbered_onbuild_left_alone() -> None:
    text, _ = out(
        "FROM debian:bookworm-slim\nRUN x\nFROM debian:bookworm-slim\nPYENV 3.11 a\n"
        "FROM debian:bookworm-slim\nONBUILD COPY --from=1 /a /a\nCOPY --from=1 /a /a\nCOPY --from=0 /b /b\n"
        "RUN --mount=type=bind,from=1,target=/m \\\n  --mount=from=0,target=/n true\nCOPY --from=9 /c /c\n"
        "COPY --from=+1 /d /d\nCOPY --from=-0 /e /e\n",
        uid=1,
        home="/h",
    )
    assert "ONBUILD COPY --from=1 /a /a\nCOPY --from=2 /a /a\nCOPY --from=0 /b /b\n" in text
    # a mount's from= names a stage by name only (BuildKit's detectRunMount): `1` is an image
    assert "RUN --mount=type=bind,from=1,target=/m \\\n  --mount=from=0,target=/n true\n" in text
    assert "COPY --from=9 /c /c" in text  # not a stage: an image name to BuildKit
    assert "COPY --from=+2 /d /d\nCOPY --from=0 /e /e\n" in text  # Go's Atoi reads +1 and -0


def test_crlf_and_single_line_generated_stage() -> None:
    text, _ = out("FROM debian:bookworm-slim\r\nARG A=1 \\\r\n  B=2\r\nPYENV 3.11 a\r\n", uid=1, home="/h")
    assert "\r\nARG A=1   B=2\r\n" in text  # the ARG declared again, on one line
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize("pick", ["default", "flag"])
def test_uv_installer(pick) -> None:
    """uv is the default; `--installer=uv` on the PYENV picks it where the command line says pip.
    Seeded with pip, the system's certificate store, compiled bytecode."""
    if pick == "default":
        text, codes = out(R + "PYENV 3.11 a r.txt\nPYENV --installer=pip 3.12 b\n")
    else:
        text, codes = out(R + "PYENV --installer=uv 3.11 a r.txt\nPYENV 3.12 b\n", installer="pip")
    assert codes == ["PYENV108"]  # no context: whether r.txt is all hashed is not known
    uv = "--mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/usr/local/bin/uv"
    cache = "--mount=type=cache,target=/home/astro/.cache/uv,uid=50000,gid=0"
    secrets = " ".join(  # the index's settings and credentials, where the build provides them
        f"--mount=type=secret,id={name},target={target},required=false,uid=50000,gid=0,mode=0400"
        for name, target in (("netrc", "/home/astro/.netrc"), ("pip-conf", "/home/astro/.venv/a/pip.conf"),
                             ("uv-toml", "/home/astro/.config/uv/uv.toml"))
    )
    cache = f"{cache} {secrets}"
    assert (
        f'RUN {uv} {cache} ["/usr/local/bin/uv", "venv", "--no-python-downloads", "--system-certs",'
        ' "--cache-dir=/home/astro/.cache/uv", "--allow-existing", "--seed",'
        ' "--python", "/opt/pyenvc/python3.11/bin/python3.11", "/home/astro/.venv/a"]'
    ) in text
    install = next(line for line in text.splitlines() if "pip install" in run_command(line))
    assert install.startswith(f"RUN {uv} {cache} [")
    assert run_command(install).startswith(
        "/usr/local/bin/uv pip install --no-python-downloads --system-certs --python /home/astro/.venv/a/bin/python"
        " --cache-dir=/home/astro/.cache/uv --link-mode=copy --compile-bytecode -r /home/astro/.venv/a/requirements.txt"
        " && { "  # then the venv's own checks
    )
    assert any(" -m venv /home/astro/.venv/b " in run_command(line) for line in text.splitlines())  # pip for the other
    other = out(R + "PYENV 3.11 a r.txt\n", installer="uv", uv_image="registry.local/uv:1")[0]
    assert "--mount=from=registry.local/uv:1,source=/uv," in other


def test_cli_layout_installer_and_uv_image(tmp_path) -> None:
    from pyenvc.commands import main as cli

    (tmp_path / "Dockerfile").write_text(R + "PYENV 3.11 a\n")
    (tmp_path / "packages.txt").write_text("")
    (tmp_path / "requirements.txt").write_text("")
    target = tmp_path / "out"
    for argv, want in (
        ([], "AS pyenvc-0-a"),
        (["--layout", "inline", "--installer", "uv", "--uv-image", "x/uv:2"], "--mount=from=x/uv:2,"),
    ):
        assert cli.main([str(tmp_path / "Dockerfile"), "-o", str(target), *argv]) == 0
        assert want in target.read_text()


@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_astro_requirements_txt_right_after_packages_txt_in_stages_after_the_last_pyenv_inline(layout) -> None:
    """Stages: the venvs are built in stages of their own, so requirements.txt goes where the
    ONBUILD triggers put it, after packages.txt (a venv change does not re-run it); no venv stage
    sees it. Inline: after the stage's last PYENV. The project copy: after the last PYENV, both."""
    text, _ = out(R + "PYENV 3.11 a\nPYENV 3.12 b\nRUN true\n", layout=layout)
    final = text[text.index("FROM quay.io/astronomer/astro-runtime:12.1.0-base\n"):]
    lines = final.split("\n")
    packages = lines.index("COPY packages.txt /usr/local/airflow/packages.txt")
    requirements = lines.index("COPY requirements.txt /usr/local/airflow/requirements.txt")
    last_venv = max(n for n, line in enumerate(lines) if line.startswith("ENV ASTRO_PYENV_"))
    project = lines.index("COPY --chown=astro:0 . /usr/local/airflow/")
    if layout == "stages":
        assert packages + 1 < requirements < last_venv < project
        install = next(n for n in range(packages, len(lines)) if lines[n].startswith("RUN "))
        assert lines[install + 1] == "COPY requirements.txt /usr/local/airflow/requirements.txt"
        assert text.count("requirements.txt /usr/local/airflow") == 1  # never in a venv stage
    else:
        assert packages < last_venv < requirements < project
    assert project < lines.index("RUN true")


def test_stages_output_grows_linearly_with_env_and_pyenv_pairs() -> None:
    """Each venv stage starts FROM the env stage of its PYENV, which holds only the ARG and ENV
    since the one before: every carried line is written once, so each ENV+PYENV pair adds the
    same few lines however many came before (before the chain, pair k repeated k ENV lines)."""

    def size(pairs: int) -> int:
        body = "".join(f"ENV E{i:03d}=value{i:03d}\nARG A{i:03d}=x\nPYENV 3.11 v{i:03d}\n" for i in range(pairs))
        text, codes = out("FROM debian:bookworm-slim\n" + body, uid=1, home="/h")
        assert codes == []
        assert text.count(f"ENV E{pairs - 1:03d}=") == 2  # in its env stage and in the user's stage
        return len(text)

    small, medium, large = size(8), size(16), size(64)
    per_pair = (medium - small) / 8
    assert abs((large - medium) / 48 - per_pair) <= 0.02 * per_pair


def test_a_run_of_pyenvs_gets_its_interpreters_first_with_one_ldconfig() -> None:
    """Adjacent PYENVs (comments between them are fine): every interpreter, once per version,
    then one ldconfig, then the venvs; a venv's change then re-runs no interpreter step after it.
    A PYENV after another instruction starts a run of its own."""
    text, codes = out(R + "PYENV 3.11 a\n# the second\nPYENV 3.12 b\nPYENV 3.11 c\nENV X=1\nPYENV 3.10 d\n")
    assert codes == []
    final = text.split("\nFROM quay.io/astronomer/astro-runtime:12.1.0-base\n")[1].splitlines()
    ldconfig = [i for i, line in enumerate(final) if "/sbin/ldconfig" in line]
    assert len(ldconfig) == 2
    first_run = final[: ldconfig[0]]
    assert "# the interpreters of PYENV lines 2, 4 and 5, with one ldconfig" in first_run
    assert [line.split()[2] for line in first_run if line.startswith("COPY --link --from=python:")] == \
        ["--from=python:3.11-slim-bookworm"] * 5 + ["--from=python:3.12-slim-bookworm"] * 5
    assert "python3.11/lib >" in final[ldconfig[0]] and "python3.12/lib >" in final[ldconfig[0]]
    venvs = [i for i, line in enumerate(final) if "/home/astro/.venv/" in line and line.startswith("COPY")]
    assert len(venvs) == 4 and ldconfig[0] < venvs[0] and venvs[2] < final.index("ENV X=1") < ldconfig[1] < venvs[3]
    assert "python3.10/lib >" in final[ldconfig[1]] and "python3.11" not in final[ldconfig[1]]
