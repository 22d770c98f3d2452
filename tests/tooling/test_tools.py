"""The two example tools (examples/tools/), over the corpus: the base-image bumper changes
exactly the FROMs (or ARG defaults) of the image it is given, and the policy checker's findings
point at the words they are about and go away when the file is fixed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import dockerfile

from pyenvc import ParseError, parse
from pyenvc.docker import reference
from pyenvc.tooling import Document, NewInstruction, Unrepresentable

TOOLS = Path(__file__).resolve().parents[2] / "examples" / "tools"
DIGEST = "sha256:" + "a" * 64


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bumper = _load("bump_base_image")
policy = _load("policy_check")


def _documents(corpus):
    for case in corpus:
        if not case.accepted or "\ufffd" in case.data.decode("utf-8", "replace"):
            continue
        try:
            doc = Document(parse(case.text))
        except ParseError:
            continue
        if doc.stages:
            yield case, doc


def _name(image):
    try:
        return reference.parse(image).name
    except (ValueError, TypeError):
        return None


def _go(text: str) -> list:
    return [(c.cmd.lower(), c.flags, c.value) for c in dockerfile.parse_string(text)]


def test_bumper_changes_exactly_the_froms_of_its_image(corpus) -> None:
    bumped_files = 0
    for case, doc in _documents(corpus):
        image = next((s.resolved for s in doc.stages if s.parent is None and s.resolved and _name(s.resolved)), None)
        if image is None or image == "scratch":
            continue
        wanted = _name(image)
        new, notes = bumper.bump(doc, image, "pyenvc-bumped")
        assert len(new.stages) == len(doc.stages), case
        for old_stage, new_stage in zip(doc.stages, new.stages):
            if old_stage.parent is None and old_stage.resolved and _name(old_stage.resolved) == wanted:
                written = new_stage.resolved or ""
                assert written.split("@")[0].endswith(":pyenvc-bumped") or notes, case
            else:
                assert new_stage.resolved == old_stage.resolved, case
        before, after = _go(doc.text), _go(new.text)
        assert [b for b, a in zip(before, after) if b != a and b[0] not in ("from", "arg")] == [], case
        bumped_files += new.text != doc.text
    assert bumped_files > 300


def test_bumper_check_mode_writes_nothing_and_exits_1(tmp_path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12 AS build\nRUN true\nFROM docker.io/library/python:3.12-slim\n")
    original = path.read_text()
    assert bumper.main(["--check", "python", "3.13", str(path)]) == 1
    assert path.read_text() == original
    assert bumper.main(["python", "3.13", str(path)]) == 0
    assert path.read_text() == "FROM python:3.13 AS build\nRUN true\nFROM docker.io/library/python:3.13\n"
    assert bumper.main(["--check", "python", "3.13", str(path)]) == 0


def test_bumper_bumps_an_arg_default_and_reports_a_tag_variable(tmp_path, capsys) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("ARG BASE=python:3.11\nFROM ${BASE}\nFROM python:${PY}\n")
    assert bumper.main(["python", "3.13", str(path)]) == 0
    assert path.read_text() == "ARG BASE=python:3.13\nFROM ${BASE}\nFROM python:${PY}\n"
    assert f"{path}:3:6: the image 'python:${{PY}}' takes its tag from a variable" in capsys.readouterr().err


def test_policy_findings_point_at_their_words_and_go_away_when_fixed(corpus) -> None:
    checked = 0
    for case, doc in _documents(corpus):
        findings = list(policy.check(doc))
        for finding in findings:
            line = doc.source.line_text(finding.line)
            assert finding.column <= len(line) + 1, case
            if finding.code in ("POLICY003", "POLICY004"):
                stage = next(s for s in doc.stages if s.base is not None and doc.source.position(s.base.span.start) == (finding.line, finding.column))
                assert line[finding.column - 1:].startswith(stage.base.raw.split("\n")[0][:10]), case
        fixed, unfixed = doc, set()
        try:
            for stage in doc.stages:
                if stage.parent is not None or stage.resolved in (None, "scratch"):
                    continue
                if _name(stage.resolved) and "$" not in stage.base.value:
                    fixed = fixed.with_base_image(stage.index, digest=DIGEST)
                else:  # an image from a variable: pinned through its ARG, which this test leaves
                    unfixed.add(doc.source.position(stage.base.span.start))
            fixed = fixed.inserted(len(fixed.instructions), NewInstruction("USER", words=("10001",)))
        except (Unrepresentable, ValueError):
            continue  # a file whose FROMs or end the edits cannot take as written
        checked += 1
        left = [f for f in policy.check(fixed) if f.code != "POLICY004"]
        assert all(f.code == "POLICY003" and (f.line, f.column) in unfixed for f in left), case
    assert checked > 300


def test_policy_rules_by_hand(tmp_path, capsys) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("ARG IMG\nFROM python:3.12 AS b\nUSER app\nFROM b\nUSER 0:0\nFROM $IMG\nFROM b\n")
    assert policy.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:2:6: error[POLICY003]: the base image 'python:3.12' is not pinned by digest" in out
    assert f"{path}:6:6: error[POLICY004]" in out
    assert "POLICY001" not in out and "POLICY002" not in out  # the final stage inherits USER app
    path.write_text(f"FROM python:3.12@{DIGEST}\nUSER root\n")
    assert policy.main([str(path)]) == 1
    assert f"{path}:2:1: error[POLICY001]: the final stage runs as 'root'" in capsys.readouterr().out
    path.write_text(f"FROM python:3.12@{DIGEST}\nUSER app\n")
    assert policy.main([str(path)]) == 0
