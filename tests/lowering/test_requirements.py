"""The requirements' kinds and contents: the kind read from the file's name, pip's reading of a
requirements file (joined lines, comments, options), and what compile makes of each: hash-checking
mode for uv, a PEP 751 lock kept by name, uv.lock exported from the lock as it is, and every
diagnostic with its place (inside a heredoc: the body line itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pyenvc
from pyenvc.lowering import requirements
from pyenvc.diagnostics import render_text
from pyenvc.source import Source
from support import run_command

R = "FROM quay.io/astronomer/astro-runtime:12.1.0\n"
HASHED = (
    "# made by a tool\n"
    "python-dateutil==4.0.0 \\\n"
    "    --hash=sha256:a5e2 \\\n"
    "    --hash=sha256:d729\n"
    "    # via lockdemo\n"
    "tzdata==2026.6 --hash=sha256:0a10  # a comment\n"
)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("a/b/deps.in", "requirements"),
        ("pylock.toml", "pylock"),
        ("locks/pylock.dates.toml", "pylock"),
        ("pylock.a.b.toml", "pylock-invalid"),
        ("Pylock.toml", "requirements"),  # exact case, as PEP 751 names it
        ("uv.lock", "uv.lock"),
        ("proj/uv.lock", "uv.lock"),
        ("poetry.lock", "poetry.lock"),
        ("x/Pipfile.lock", "Pipfile.lock"),
        ("pdm.lock", "pdm.lock"),
    ],
)
def test_the_kind_is_read_from_the_name(path: str, kind: str) -> None:
    assert requirements.kind_of(path) == kind


def test_lines_are_read_as_pip_reads_them() -> None:
    lines = requirements.logical_lines(HASHED)
    assert [(line.number, line.text) for line in lines] == [
        (2, "python-dateutil==4.0.0     --hash=sha256:a5e2     --hash=sha256:d729"),
        (6, "tzdata==2026.6 --hash=sha256:0a10"),
    ]
    assert HASHED[lines[1].offset :].startswith("tzdata")
    assert requirements.read(HASHED).hashed
    # a continuation line whose comment makes it end joins nothing (pip's join_lines)
    assert [line.text for line in requirements.logical_lines("a # x \\\nb\n")] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "hashed", "partly"),
    [
        (HASHED, True, None),
        ("", False, None),
        ("--index-url https://example.org/simple\n", False, None),  # options only: nothing to hash
        ("six==1 --hash=sha256:00\nattrs==23\n", False, 2),
        ("six==1\n", False, None),
    ],
)
def test_hash_checking_mode_needs_every_requirement_hashed(text: str, hashed: bool, partly) -> None:
    findings = requirements.read(text)
    assert findings.hashed is hashed
    assert (findings.partly_hashed.number if findings.partly_hashed else None) == partly


def test_references_the_build_does_not_see() -> None:
    text = (
        "-r base.txt\n--requirement=more.txt\n-rother.txt\n-c constraints.txt\n-e ./pkg\n-e .\n"
        "./dist/x-1-py3-none-any.whl\nlocal.tar.gz\n-f ./wheels\nfoo @ file:///opt/x.whl\n"
        # none of these is local
        "-r https://example.org/r.txt\n-e git+https://example.org/a.git#egg=a\nsix>=1 ; python_version >= '3'\n"
        "name @ https://example.org/x.whl\n"
    )
    found = [(r.line.number, r.what, r.target, r.absolute) for r in requirements.read(text).references]
    assert found == [
        (1, "requirements file", "base.txt", False),
        (2, "requirements file", "more.txt", False),
        (3, "requirements file", "other.txt", False),
        (4, "constraints file", "constraints.txt", False),
        (5, "editable project", "./pkg", False),
        (6, "editable project", ".", False),
        (7, "local path", "./dist/x-1-py3-none-any.whl", False),
        (8, "local path", "local.tar.gz", False),
        (9, "find-links location", "./wheels", False),
        (10, "local path", "file:///opt/x.whl", True),
    ]


def _compile(text: str, tmp_path: Path | None = None, files: dict[str, str] | None = None, **options):
    if files is not None:
        assert tmp_path is not None
        for name, content in {"packages.txt": "", "requirements.txt": "", **files}.items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(content)
        options["context"] = str(tmp_path)
    return pyenvc.compile(text, layout="inline", **options)


def _codes(result) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in result.diagnostics if d.code != "PYENV101"]


def test_a_hashed_file_installs_in_hash_checking_mode_with_uv(tmp_path: Path) -> None:
    result = _compile(R + "PYENV 3.12 a r.txt\nPYENV --installer=pip 3.12 b r.txt\n", tmp_path, {"r.txt": HASHED})
    assert _codes(result) == []
    installs = [run_command(line) for line in result.output.splitlines()
                if "pip install" in run_command(line) and "/.venv/" in run_command(line)]
    assert len(installs) == 2
    assert "--require-hashes -r /home/astro/.venv/a/requirements.txt " in installs[0]
    assert "--require-hashes" not in installs[1]  # pip enters the mode by itself


def test_an_unhashed_or_partly_hashed_file_gets_no_require_hashes(tmp_path: Path) -> None:
    result = _compile(R + "PYENV 3.12 a r.txt\n", tmp_path, {"r.txt": "six==1 --hash=sha256:00\nattrs\n"})
    assert _codes(result) == [("PYENV109", 2, 14)]
    assert "'r.txt' line 2" in result.diagnostics[0].message
    assert "--require-hashes" not in result.output


def test_without_a_context_the_mode_is_not_known() -> None:
    result = _compile(R + "PYENV 3.12 a r.txt\nPYENV --installer=pip 3.12 b r.txt\n")
    assert _codes(result) == [("PYENV108", 2, 14)]  # pip decides by itself: no warning
    assert "--require-hashes" not in result.output


def test_a_heredoc_is_read_where_it_stands() -> None:
    result = _compile(R + "PYENV 3.12 a <<EOF\nsix==1 --hash=sha256:00 \\\n  --hash=sha256:11\nEOF\n")
    assert _codes(result) == []
    assert "--require-hashes" in result.output
    text = R + "PYENV 3.12 a <<-EOF\n\tsix\n\t-e ./pkg\n\t/opt/x-1-py3-none-any.whl\n\tEOF\n"
    result = _compile(text)
    assert _codes(result) == [("PYENV034", 4, 1), ("PYENV110", 5, 1)]
    assert result.output is None
    assert "the heredoc's line 2 names the editable project './pkg'" in result.diagnostics[0].message


def test_a_pep_751_lock_keeps_its_name(tmp_path: Path) -> None:
    result = _compile(R + "PYENV 3.12 a locks/pylock.dev.toml\n", tmp_path, {"locks/pylock.dev.toml": "lock-version = '1.0'\n"})
    assert _codes(result) == []
    lines = result.output.splitlines()
    assert "COPY --chown=50000:0 locks/pylock.dev.toml /home/astro/.venv/a/pylock.dev.toml" in lines
    assert any("pip install" in run_command(line) and " -r /home/astro/.venv/a/pylock.dev.toml " in run_command(line)
               for line in lines)


def test_a_uv_lock_is_exported_as_locked_then_installed_with_hashes(tmp_path: Path) -> None:
    files = {"p/uv.lock": "version = 1\n", "p/pyproject.toml": "[project]\nname = 'p'\n"}
    result = _compile(R + "PYENV 3.12 a p/uv.lock\n", tmp_path, files)
    assert _codes(result) == []
    lines = result.output.splitlines()
    assert "COPY --chown=50000:0 p/uv.lock p/pyproject.toml /home/astro/.venv/a/project/" in lines
    export = next(line for line in lines if '"export"' in line)
    for flag in ('"--frozen"', '"--no-default-groups"', '"--no-emit-project"', '"--project", "/home/astro/.venv/a/project"'):
        assert flag in export
    install = next(run_command(line) for line in lines if "pip install" in run_command(line))
    assert "--require-hashes -r /home/astro/.venv/a/requirements.txt " in install


@pytest.mark.parametrize(
    ("line", "files", "code", "column"),
    [
        ("PYENV 3.12 a poetry.lock", {"poetry.lock": ""}, "PYENV030", 14),
        ("PYENV 3.12 a Pipfile.lock", {}, "PYENV030", 14),  # the kind before the missing file
        ("PYENV --installer=pip 3.12 a pylock.toml", {"pylock.toml": ""}, "PYENV031", 30),
        ("PYENV --installer=pip 3.12 a uv.lock", {"uv.lock": ""}, "PYENV031", 30),
        ("PYENV 3.12 a p/uv.lock", {"p/uv.lock": ""}, "PYENV032", 14),
        ("PYENV 3.12 a uv.lock", {"uv.lock": "", "pyproject.toml": "[tool.uv.workspace]\nmembers = ['x']\n"}, "PYENV033", 14),
        ("PYENV 3.12 a uv.lock", {"uv.lock": "[manifest]\nmembers = [\n  'a',\n  'b',\n]\n", "pyproject.toml": ""}, "PYENV033", 14),
        ("PYENV 3.12 a r.txt", {"r.txt": "six\n-r base.txt\n", "base.txt": "attrs\n"}, "PYENV034", 14),
        ("PYENV 3.12 a pylock.x.y.toml", {"pylock.x.y.toml": ""}, "PYENV035", 14),
        ("PYENV 3.12 a r.txt", {"r.txt": "foo @ file:///opt/foo.whl\n"}, "PYENV110", 14),
    ],
)
def test_kind_and_content_problems(tmp_path: Path, line: str, files: dict, code: str, column: int) -> None:
    result = _compile(R + line + "\n", tmp_path, files)
    assert _codes(result) == [(code, 2, column)], result.diagnostics
    diagnostic = result.diagnostics[0]
    assert diagnostic.hint and diagnostic.hint[0].islower()
    assert (result.output is None) == (diagnostic.severity == "error")


def test_the_hint_for_pip_and_a_lock_names_the_uv_installer() -> None:
    result = _compile(R + "PYENV --installer=pip 3.12 a pylock.toml\n")
    assert "--installer=uv" in result.diagnostics[0].hint
    result = _compile(R + "PYENV 3.12 a pdm.lock\n")
    assert "pylock.toml" in result.diagnostics[0].hint and "uv.lock" in result.diagnostics[0].hint


def test_positions_in_a_heredoc_are_in_the_source() -> None:
    text = R + "PYENV 3.12 a <<EOF\r\nsix\r\n-r other.txt\r\nEOF\r\n"
    (diagnostic,) = _compile(text).diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("PYENV034", 4, 1)
    rendered = render_text(diagnostic, Source(text))
    assert "^^^^^^^^^^^^" in rendered and "-r other.txt" in rendered


@pytest.mark.parametrize(
    ("line", "warned"),
    [
        ("--extra-index-url https://me:pw@example.org/simple", True),
        ("pkg @ https://token@example.org/pkg-1-py3-none-any.whl", True),
        ("-i http://user:@example.org/simple", True),
        ("pkg @ git+ssh://git@example.org/pkg.git", False),  # a user name, no secret
        ("--index-url https://example.org/simple", False),
    ],
)
def test_credentials_in_a_url_are_a_warning(line: str, warned: bool) -> None:
    result = _compile(R + f"PYENV 3.12 a <<EOF\nsix\n{line}\nEOF\n")
    assert _codes(result) == ([("PYENV111", 4, 1)] if warned else [])
    assert result.output is not None


def test_every_index_step_mounts_the_optional_secrets(tmp_path: Path) -> None:
    """The uv venv's creation (it downloads pip), each install, and the Astro requirements.txt
    step: netrc, pip and uv configuration, optional, readable by the step's user only."""
    result = _compile(R + "PYENV 3.12 a <<EOF\nsix\nEOF\nPYENV --installer=pip 3.12 b <<EOF\nsix\nEOF\n", tmp_path, {})
    lines = result.output.splitlines()
    mounting = [line for line in lines if "type=secret" in line]
    assert len(mounting) == 4  # uv venv, uv install, pip install, requirements.txt
    for line in mounting[:3]:
        venv = "/home/astro/.venv/" + ("b" if "pip install --cache" in run_command(line) else "a")
        for target in ("/home/astro/.netrc", f"{venv}/pip.conf", "/home/astro/.config/uv/uv.toml"):
            assert f"target={target},required=false,uid=50000,gid=0,mode=0400" in line, line
    assert "requirements.txt" in mounting[3] and "target=/root/.netrc,required=false,uid=0," in mounting[3]
    assert "target=/usr/local/pip.conf" in mounting[3]
    assert not any("type=secret" in line and "-m venv" in run_command(line) for line in lines)  # no index reached
