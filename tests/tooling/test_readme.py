"""The README's tooling example runs as written, on a file that has what it names."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
DOCKERFILE = """\
ARG PY=3.11
FROM python:${PY}-slim AS build
RUN make
FROM build AS test
RUN make test
COPY --from=build /src /src
RUN --mount=from=build,target=/b true
FROM python:3.12-slim
COPY --from=test /out /out
"""


def test_the_tooling_example_runs(tmp_path, monkeypatch, capsys) -> None:
    section = README.read_text("utf-8").split("## Tooling", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "0 build ${PY}-slim" not in printed and "0 build python:${PY}-slim python:3.12-slim None" in printed
    assert "copy build 0\nmount build 0\ncopy test 1\n" in printed
    assert (tmp_path / "Dockerfile").read_text() == """\
ARG PY=3.13
FROM python:${PY}-slim AS compile
RUN make
RUN ["make", "test"]
FROM compile AS test
RUN make test
COPY --from=compile /src /src
RUN --mount=from=compile,target=/b true
FROM python:3.13-slim
COPY --from=test /out /out
LABEL org.opencontainers.image.title='my app'
"""
