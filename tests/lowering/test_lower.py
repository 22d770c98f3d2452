"""One test per rule of the spec's lowering (docs/pyenv.md, "What the output must guarantee",
the runtime table, the Astro Runtime section); each fails without the behaviour it names."""

from __future__ import annotations

import datetime
import json
import re

import pytest

import pyenvc
from pyenvc.lowering import pythons
from pyenvc.docker.buildkit import parse_instruction
from pyenvc.syntax.tree import Generated

RUNTIME = "quay.io/astronomer/astro-runtime:12.1.0"


def out(text: str, **options) -> str:
    options.setdefault("layout", "inline")  # the stages layout: tests/lowering/test_layouts.py
    result = pyenvc.compile(text, **options)
    errors = [d for d in result.diagnostics if d.is_error]
    assert not errors, errors
    assert result.output is not None
    return result.output


def generated_lines(text: str, **options) -> list[str]:
    """The lines the lowering wrote (those of Generated nodes), without line endings."""
    from pyenvc.lowering.lower import Options, lower
    from pyenvc.source import Source

    options.setdefault("layout", "inline")
    tree = pyenvc.parse(text)
    lowered, _ = lower(tree, Source(text), Options(**options))
    lines: list[str] = []
    for node in lowered.body:
        if isinstance(node, Generated):
            lines += node.text.splitlines()
    return lines


def instructions(text: str) -> list[tuple[str, list, list, bool]]:
    """(command, flags, words, json) for every instruction, as BuildKit reads them."""
    view = pyenvc.to_buildkit(pyenvc.parse(text))
    return [(c["cmd"].lower(), c["flags"], c["next"], c["json"]) for c in view["commands"]]


# -- the interpreter --------------------------------------------------------------------------


def test_interpreter_copies_only_version_suffixed_files_then_ldconfig() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a\n")
    sources = [l.split()[3] for l in lines if l.startswith("COPY --link --from=python:3.11")]
    assert sources == [
        "/usr/local/bin/*3.11*",
        "/usr/local/include/python3.11*",
        "/usr/local/lib/pkgconfig/*3.11*",
        "/usr/local/lib/*3.11*.so*",
        "/usr/local/lib/python3.11",
    ]
    ldconfig = [l for l in lines if "ldconfig" in l]
    assert len(ldconfig) == 1 and lines.index(ldconfig[0]) > max(
        i for i, l in enumerate(lines) if l.startswith("COPY --link")
    )


def test_interpreter_once_per_version_per_stage() -> None:
    text = f"FROM {RUNTIME}\nPYENV 3.11 a\nPYENV 3.11 b\nPYENV 3.10 c\n"
    lines = generated_lines(text)
    assert sum(l.startswith("COPY --link --from=python:3.11-") for l in lines) == 5
    assert sum(l.startswith("COPY --link --from=python:3.10-") for l in lines) == 5


def test_each_stage_gets_its_own_interpreter() -> None:
    """The old frontend copied a version once per file, so the second stage had none."""
    text = f"FROM {RUNTIME} AS one\nPYENV 3.11 a\nFROM {RUNTIME} AS two\nPYENV 3.11 b\n"
    lines = generated_lines(text)
    assert sum(l.startswith("COPY --link --from=python:3.11-") for l in lines) == 10
    assert sum("ldconfig" in l for l in lines) == 2


def test_python_older_than_38_gets_the_m_include_symlink() -> None:
    assert any("ln -sfn python3.7 /opt/pyenvc/python3.7/include/python3.7m" in l
               for l in generated_lines(f"FROM {RUNTIME}\nPYENV 3.7 a\n"))
    assert not any("ln -s" in l for l in generated_lines(f"FROM {RUNTIME}\nPYENV 3.8 a\n"))


@pytest.mark.parametrize("version", ["3.12", "3.12.4"])
def test_base_images_own_python_is_never_overwritten(version: str) -> None:
    """Runtime 12.1.0 runs Airflow on Python 3.12: a PYENV 3.12 must not copy anything over
    /usr/local (the old frontend's issue #12), and its venv uses the interpreter's own prefix."""
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV {version} same\n")
    copies = [l for l in lines if l.startswith("COPY --link")]
    assert copies and all(l.split()[-1].startswith("/opt/pyenvc/python3.12/") for l in copies)
    assert not any(re.search(r"/usr/local/(bin|lib|include)", l.split()[-1]) for l in lines
                   if l.startswith(("COPY", "ADD")))
    assert '["/opt/pyenvc/python3.12/bin/python3.12", "-m", "venv", "/home/astro/.venv/same"]' in " ".join(lines)
    assert not any(re.search(r"(^|\s)(cp|mv|ln)\s.*/usr/local/(bin|lib)", l) for l in lines)


def test_python_image_flag_replaces_the_official_image() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV --python-image=my/cpython:3.11 3.11 a\n")
    assert sum(l.startswith("COPY --link --from=my/cpython:3.11 ") for l in lines) == 5


# -- the venv ---------------------------------------------------------------------------------


def test_venv_created_before_requirements_copy_then_installed_with_cache_mount() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a reqs/a.txt\n")
    venv = next(i for i, l in enumerate(lines) if '"-m", "venv"' in l)
    copy = next(i for i, l in enumerate(lines) if l.startswith("COPY --chown"))
    install = next(i for i, l in enumerate(lines) if '"pip", "install"' in l)
    assert venv < copy < install
    assert lines[copy] == "COPY --chown=50000:0 reqs/a.txt /home/astro/.venv/a/requirements.txt"
    assert lines[install].startswith(
        "RUN --mount=type=cache,target=/home/astro/.cache/pip,uid=50000,gid=0 ["
    )


def test_venv_is_owned_by_the_runtime_user() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a\n")
    venv = next(i for i, l in enumerate(lines) if '"-m", "venv"' in l)
    users = [l for l in lines[:venv] if l.startswith("USER ")]
    assert users[-1] == "USER 50000:0"
    assert any("chown 50000:0 /home/astro/.venv /home/astro/.venv/a" in l for l in lines[:venv])


def test_no_requirements_no_copy_no_install() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a\n")
    assert not any(l.startswith("COPY --chown=50000") for l in lines)
    assert not any("pip" in l and "install" in l and "/.venv/a/" in l for l in lines)


def test_env_names_the_venv_python_in_key_value_form() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 my-venv_1\n")
    assert "ENV ASTRO_PYENV_my-venv_1=/home/astro/.venv/my-venv_1/bin/python" in lines
    env = [i for i in instructions(out(f"FROM {RUNTIME}\nPYENV 3.11 a\n")) if i[0] == "env"]
    assert env == [("env", [], ["ASTRO_PYENV_a", "/home/astro/.venv/a/bin/python", "="], False)]


def test_unknown_image_creates_home_as_root_and_hands_it_over() -> None:
    lines = generated_lines(
        "FROM debian:bookworm\nPYENV 3.11 a\n", uid=1000, home="/srv/app", user="app"
    )
    mkdir = next(l for l in lines if "mkdir -p /srv/app" in l)
    assert "chown 1000:0 /srv/app;" in mkdir
    before = lines[: lines.index(mkdir)]
    assert [l for l in before if l.startswith("USER")][-1] == "USER root"
    assert "ENV ASTRO_PYENV_a=/srv/app/.venv/a/bin/python" in lines


def test_airflow_image_gets_its_own_user_and_home() -> None:
    text = "FROM apache/airflow:2.10.3\nPYENV 3.11 a r.txt\n"
    lines = generated_lines(text)
    assert "ENV ASTRO_PYENV_a=/home/airflow/.venv/a/bin/python" in lines
    assert lines[-1] == "USER airflow"
    assert not pyenvc.compile(text).diagnostics


def test_options_override_user_uid_home_and_flavour() -> None:
    lines = generated_lines(
        f"FROM {RUNTIME}\nPYENV 3.11 a r.txt\n", uid=1234, home="/h", python_flavour="slim-bullseye"
    )
    assert "COPY --chown=1234:0 r.txt /h/.venv/a/requirements.txt" in lines
    assert any(l.startswith("COPY --link --from=python:3.11-slim-bullseye ") for l in lines)


# -- USER restore ------------------------------------------------------------------------------


def test_user_restored_from_the_stage() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nUSER   nobody:nogroup  \nPYENV 3.11 a\n")
    assert lines[-1] == "USER nobody:nogroup"


def test_user_restored_from_an_earlier_stage() -> None:
    text = f"FROM {RUNTIME} AS Base\nUSER builder\nRUN true\nFROM base\nPYENV 3.11 a\n"
    assert generated_lines(text)[-1] == "USER builder"


def test_user_restored_from_the_base_image() -> None:
    assert generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a\n")[-1] == "USER astro"
    assert generated_lines("FROM apache/airflow:3.0.2\nPYENV 3.11 a\n")[-1] == "USER airflow"


def test_user_restore_is_the_one_before_each_pyenv() -> None:
    text = f"FROM {RUNTIME}\nUSER one\nPYENV 3.11 a\nUSER two\nPYENV 3.11 b\n"
    output = out(text)
    users = [i[2][0] for i in instructions(output) if i[0] == "user"]
    # one, [root, uid, one], two, [root, uid, two] -- each block restores the user before it
    assert users[users.index("one") + 3] == "one"
    assert users[-1] == "two"


# -- form of the generated instructions ----------------------------------------------------------


def test_shell_and_workdir_cannot_change_generated_steps() -> None:
    text = f'FROM {RUNTIME}\nSHELL ["pwsh", "-Command"]\nWORKDIR /somewhere\nPYENV 3.11 a r.txt\n'
    output = out(text)
    gen = generated_lines(text)
    for command, flags, words, is_json in instructions(output)[3:]:
        if command == "run":
            assert is_json, words
        if command == "copy":
            assert words[-1].startswith("/"), words
    assert all(not l.startswith("WORKDIR") and not l.startswith("SHELL") for l in gen)


def test_generated_lines_are_single_line_instructions() -> None:
    text = "# escape=`\nFROM " + RUNTIME + "\nPYENV 3.11 a r.txt\n"
    tree = pyenvc.parse(out(text))
    for instruction in tree.instructions():
        assert "\n" not in instruction.text.rstrip("\n")


def test_crlf_file_gets_crlf_generated_lines() -> None:
    text = f"FROM {RUNTIME}\r\nPYENV 3.11 a r.txt\r\nRUN true\r\n"
    output = out(text)
    assert "\n" not in output.replace("\r\n", "")
    assert output.endswith("RUN true\r\n")


def test_pyenv_at_end_of_file_without_newline() -> None:
    output = out(f"FROM {RUNTIME}\nPYENV 3.11 a")
    assert not output.endswith("\n")
    assert output.endswith("USER astro")
    assert out(output) == output


def test_backtick_escape_and_continuations_with_comments() -> None:
    text = "# escape=`\nFROM debian AS x\nPYENV `\n# a comment inside`\n   3.11 `\n\tb`\n  r.txt\nRUN echo `\n  hi\n"
    result = pyenvc.compile(text, uid=1, home="/h", user="u")
    assert result.output is not None
    assert "COPY --chown=1:0 r.txt /h/.venv/b/requirements.txt" in result.output
    assert result.output.endswith("RUN echo `\n  hi\n")


def test_provenance_comment_names_the_line() -> None:
    text = f"FROM {RUNTIME}\n\n# comment\nPYENV 3.11 a\nPYENV 3.11 b\n"
    lines = generated_lines(text)
    assert "# PYENV line 4" in lines and "# PYENV line 5" in lines
    assert lines.index("# PYENV line 4") < lines.index("# PYENV line 5")


def test_deterministic_and_idempotent() -> None:
    text = f"FROM {RUNTIME}\nPYENV 3.11 a r.txt\nFROM python:3.12 AS t\nPYENV 3.8 b\n"
    first = out(text)
    assert first == out(text)
    assert out(first) == first
    assert not any(i.command == "pyenv" for i in pyenvc.parse(first).instructions())
    assert "/work" not in first and str(datetime.date.today().year) not in first


def test_non_pyenv_nodes_are_the_same_objects() -> None:
    from pyenvc.lowering.lower import Options, lower
    from pyenvc.source import Source

    text = "FROM debian\n# keep\nRUN  a \\\n  b\nPYENV 3.11 a\nCMD x\n"
    tree = pyenvc.parse(text)
    lowered, _ = lower(tree, Source(text), Options(uid=1, home="/h", user="u"))
    kept = [n for n in lowered.body if not isinstance(n, Generated)]
    assert all(any(k is n for n in tree.body) for k in kept)
    assert len(kept) == len(tree.body) - 1


@pytest.mark.parametrize("layout", ["inline", "stages"])
def test_each_generated_node_carries_the_span_it_came_from(layout) -> None:
    from pyenvc.lowering.lower import Options, lower
    from pyenvc.source import Source

    text = f"FROM {RUNTIME} AS a\r\nPYENV 3.11 one\r\nRUN x\r\nFROM {RUNTIME}\r\nPYENV 3.12 two\r\nPYENV 3.11 three"
    tree = pyenvc.parse(text)
    spans = {n.keyword + n.text.split()[-1]: (n.start, n.end) for n in tree.instructions()}
    lowered, _ = lower(tree, Source(text), Options(layout=layout))
    origins = [(n.origin.start, n.origin.end) for n in lowered.body if isinstance(n, Generated)]
    pyenvs = [spans["PYENVone"], spans["PYENVtwo"], spans["PYENVthree"]]
    froms = [spans["FROMa"], spans[f"FROM{RUNTIME}"]]  # each rewritten to -base
    if layout == "inline":
        assert origins == [froms[0], pyenvs[0], froms[1], *pyenvs[1:]]
    else:  # one venv stage per PYENV, before the FROM of its stage, and the PYENV's own lines
        assert origins == [pyenvs[0], froms[0], pyenvs[0], pyenvs[1], pyenvs[2], froms[1], *pyenvs[1:]]


# -- the old frontend's directive -------------------------------------------------------------


@pytest.mark.parametrize(
    "directive",
    [
        "# syntax=quay.io/astronomer/airflow-extensions:v1\n",
        "# syntax=quay.io/astronomer/airflow-extensions:latest\n",
        "#syntax = quay.io/astronomer/airflow-extensions\n",
    ],
)
def test_old_frontend_directive_removed(directive: str) -> None:
    text = directive + "# check=skip=all\nFROM python:3.12\nRUN true\n"
    assert out(text) == "# check=skip=all\nFROM python:3.12\nRUN true\n"


def test_other_syntax_directive_kept() -> None:
    text = "# syntax=docker/dockerfile:1.7\nFROM " + RUNTIME + "\nPYENV 3.11 a\n"
    assert out(text).startswith("# syntax=docker/dockerfile:1.7\nFROM ")


# -- Astro Runtime -------------------------------------------------------------------------------


def test_runtime_from_uses_base_tag_with_packages_right_after() -> None:
    text = f"FROM {RUNTIME} AS app\nRUN echo user-step\nPYENV 3.11 a\n"
    output = out(text)
    cmds = instructions(output)
    assert cmds[0] == ("from", [], [RUNTIME + "-base", "AS", "app"], False)
    assert cmds[1:4] == [
        ("user", [], ["root"], False),
        ("copy", [], ["packages.txt", "/usr/local/airflow/packages.txt"], False),
        cmds[3],
    ]
    assert "apt-get install" in cmds[3][2][2]
    assert cmds[4] == ("user", [], ["astro"], False)
    assert cmds[5][0] == "run" and cmds[5][2] == ["echo user-step"]


def test_runtime_requirements_and_project_after_the_stages_last_pyenv() -> None:
    text = f"FROM {RUNTIME}\nPYENV 3.11 a\nRUN between\nPYENV 3.12 b\nRUN after\n"
    cmds = instructions(out(text))
    project = cmds.index(("copy", ["--chown=astro:0"], [".", "/usr/local/airflow/"], False))
    requirements = cmds.index(("copy", [], ["requirements.txt", "/usr/local/airflow/requirements.txt"], False))
    last_env = max(i for i, c in enumerate(cmds) if c[0] == "env")
    between = cmds.index(("run", [], ["between"], False))
    after = cmds.index(("run", [], ["after"], False))
    assert between < last_env < requirements < project < after
    assert "apache-airflow" in cmds[requirements + 1][2][2]
    assert sum(c[0] == "copy" and c[2][0] == "." for c in cmds) == 1


def test_runtime_version_variable_kept_with_base_appended() -> None:
    text = "ARG ver=12.1.0\nFROM quay.io/astronomer/astro-runtime:${ver}\nPYENV 3.11 a\n"
    result = pyenvc.compile(text)
    assert "\nFROM quay.io/astronomer/astro-runtime:${ver}-base\n" in result.output
    assert [d.code for d in result.diagnostics] == ["PYENV103"]


def test_runtime_from_build_arg_over_default() -> None:
    text = "ARG ver=11.12.0\nFROM quay.io/astronomer/astro-runtime:${ver}\nPYENV 3.11 a\n"
    assert "python:3.11-slim-bookworm" in out(text, build_args={"ver": "12.0.0"})
    assert "python:3.11-slim-bullseye" in out(text)


def test_runtime_3_on_azure_registry() -> None:
    output = out("FROM astrocrpublic.azurecr.io/runtime:3.0-2\nPYENV 3.12 a\n")
    assert output.startswith("FROM astrocrpublic.azurecr.io/runtime:3.0-2-base\n")
    assert "python:3.12-slim-bookworm" in output


def test_runtime_images_option_extends_the_list() -> None:
    text = "FROM registry.example.com/astro/runtime:12.1.0\nPYENV 3.11 a\n"
    assert out(text, runtime_images=["registry.example.com/astro/runtime"]).startswith(
        "FROM registry.example.com/astro/runtime:12.1.0-base\n"
    )
    assert out(text).startswith("FROM registry.example.com/astro/runtime:12.1.0\n")


def test_runtime_base_tag_already_left_alone() -> None:
    text = f"FROM {RUNTIME}-base\nPYENV 3.11 a\n"
    output = out(text)
    assert output.startswith(f"FROM {RUNTIME}-base\n# PYENV line 2\n")
    assert "packages.txt" not in output and "requirements.txt" not in output


def test_no_astro_switches_the_rewrite_off() -> None:
    output = out(f"FROM {RUNTIME}\nPYENV 3.11 a\n", astro=False)
    assert output.startswith(f"FROM {RUNTIME}\n# PYENV line 2\n")
    assert "packages.txt" not in output


def test_runtime_stage_without_pyenv_left_alone() -> None:
    text = f"FROM {RUNTIME} AS a\nRUN x\nFROM python:3.12\nPYENV 3.11 v\n"
    assert out(text, uid=1, home="/h", user="u").startswith(f"FROM {RUNTIME} AS a\nRUN x\n")


@pytest.mark.parametrize(
    ("tag", "flavour"),
    [
        ("9.0.1", "slim-bullseye"),
        ("11.12.0", "slim-bullseye"),
        ("11.13.0", "slim-bookworm"),
        ("11.14.0", "slim-bookworm"),
        ("11.15.0", "slim-bullseye"),
        ("11.17.0", "slim-bullseye"),
        ("12.0.0", "slim-bookworm"),
        ("12.1.0-python-3.11", "slim-bookworm"),
        ("3.0-1", "slim-bookworm"),
    ],
)
def test_runtime_flavour_table(tag: str, flavour: str) -> None:
    assert f"python:3.11-{flavour} " in out(f"FROM quay.io/astronomer/astro-runtime:{tag}\nPYENV 3.11 a\n")


def test_runtime_project_files_checked_in_a_known_context(tmp_path) -> None:
    text = f"FROM {RUNTIME}\nPYENV 3.11 a\n"
    result = pyenvc.compile(text, context=str(tmp_path))
    assert sorted(d.code for d in result.diagnostics) == ["PYENV104", "PYENV104"]
    assert result.output is not None
    (tmp_path / "packages.txt").write_text("")
    (tmp_path / "requirements.txt").write_text("pandas\napache-airflow==2.9.0\n")
    result = pyenvc.compile(text, context=str(tmp_path))
    assert [(d.code, d.line) for d in result.diagnostics] == [("PYENV019", 1)]
    assert "line 2" in result.diagnostics[0].message
    assert result.output is None
    (tmp_path / "requirements.txt").write_text("apache-airflow-providers-http\n")
    assert pyenvc.compile(text, context=str(tmp_path)).diagnostics == []


# -- end of life --------------------------------------------------------------------------------


def test_end_of_life_warning(monkeypatch) -> None:
    monkeypatch.setattr(pythons, "today", lambda: datetime.date(2025, 1, 1))
    result = pyenvc.compile(f"FROM {RUNTIME}\nPYENV 3.8 old\nPYENV 3.9 ok\n")
    assert [(d.code, d.severity, d.line, d.column) for d in result.diagnostics] == [
        ("PYENV101", "warning", 2, 7)
    ]
    assert result.output is not None


def test_python_version_flavour_availability() -> None:
    result = pyenvc.compile(f"FROM {RUNTIME}\nPYENV 3.6 old\n")
    assert [d.code for d in result.diagnostics if d.is_error] == ["PYENV012"]
    assert "--python-image" in result.diagnostics[0].hint
    assert out(f"FROM {RUNTIME}\nPYENV --python-image=my/py36 3.6 old\n")


# -- ARG expansion as BuildKit does it ------------------------------------------------------------


def test_unresolvable_from_is_an_unknown_image() -> None:
    result = pyenvc.compile("ARG img\nFROM ${img}\nPYENV 3.11 a\n", layout="inline")
    assert [d.code for d in result.diagnostics] == ["PYENV102"]
    assert result.output.startswith("ARG img\nFROM ${img}\n# PYENV")


def test_json_output_is_valid_exec_form() -> None:
    for line in generated_lines(f"FROM {RUNTIME}\nPYENV 3.11 a r.txt\n"):
        if line.startswith("RUN "):
            parsed = parse_instruction(line, "\\")
            assert parsed.json, line
            assert json.loads(line[line.index("[") :])


def test_variable_registry_with_literal_tag_draws_no_flavour_warning() -> None:
    text = "ARG REG=quay.io\nFROM ${REG}/astronomer/astro-runtime:12.1.0\nPYENV 3.11 a\n"
    result = pyenvc.compile(text)
    assert result.diagnostics == []
    assert "\nFROM ${REG}/astronomer/astro-runtime:12.1.0-base\n" in result.output


def test_keyword_any_case_and_tabs_between_words() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\npyEnv\t3.11 \t  a\t r.txt  \n")
    assert "COPY --chown=50000:0 r.txt /home/astro/.venv/a/requirements.txt" in lines
    assert "ENV ASTRO_PYENV_a=/home/astro/.venv/a/bin/python" in lines


def test_prerelease_version() -> None:
    lines = generated_lines(f"FROM {RUNTIME}\nPYENV 3.14.0rc1 next\n")
    assert any(l.startswith("COPY --link --from=python:3.14.0rc1-slim-bookworm /usr/local/bin/*3.14* ") for l in lines)
