"""Fixtures shared by every test (the helpers themselves are in support.py)."""

from __future__ import annotations

import pytest

from support import CorpusFile, CORPUS, corpus_paths, missing_prerequisite


@pytest.fixture(scope="session")
def corpus() -> list[CorpusFile]:
    paths = corpus_paths()
    if not paths:
        missing_prerequisite(f"the Dockerfile corpus is absent (looked in {CORPUS}; set PYENVC_CORPUS)")
    return [CorpusFile(path) for path in paths]
