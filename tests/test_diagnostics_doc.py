"""The README's diagnostics table is generated from the CODES registry and must match it; every
code has a severity the renderers agree with."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyenvc.diagnostics import CODES, ERROR, WARNING, markdown_table

PROJECT = Path(__file__).resolve().parents[1]
START, END = "<!-- diagnostics:start -->\n", "<!-- diagnostics:end -->"


def _docs_with_table() -> list[Path]:
    found = []
    for path in (PROJECT / "README.md",):
        if path.is_file() and START in path.read_text(encoding="utf-8"):
            found.append(path)
    return found


def test_some_readme_has_the_table() -> None:
    assert _docs_with_table()


@pytest.mark.parametrize("path", _docs_with_table(), ids=lambda p: p.name)
def test_table_matches_the_registry(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    table = text[text.index(START) + len(START) : text.index(END)]
    assert table == markdown_table(), (
        f"{path.name}'s diagnostics table is stale: replace it with pyenvc.diagnostics.markdown_table()"
    )


def test_every_code_is_well_formed() -> None:
    for code, entry in CODES.items():
        assert code.rstrip("0123456789") in ("DF", "PYENV", "DAG") and code[-3:].isdigit()
        assert entry.severity in (ERROR, WARNING), code
        meaning = entry.summary
        assert meaning and meaning[0].islower() or meaning.split()[0].isupper() or meaning[:2] in ("a ", "an")
