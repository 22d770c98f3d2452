"""Fuzzing `pyenvc.compile`'s keyword options: random types and values for every keyword its
signature has (the options table's and path, context, build_args), over Dockerfiles built from
PYENV-heavy lines, with a .dockerignore of patterns that matter (and some that Docker refuses).

    python fuzz/fuzz_options.py -max_total_time=300 WORKDIR

Each call must raise TypeError naming a keyword or ValueError (a caller's mistake) or return a
Result; a Result
with output must compile to itself again with the same options and parse with no PYENV left.
A crash is saved by libFuzzer as `crash-*`; `python fuzz/fuzz_options.py --save crash-* NAME`
writes it as fuzz/regressions/options/NAME.json (what the call was, readable), which
tests/test_fuzz_regressions.py replays.
"""

from __future__ import annotations

import atexit
import inspect
import os
import shutil
import sys
import tempfile
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calls  # noqa: E402
from draw import Draw  # noqa: E402

with calls.instrumented(__name__ == "__main__"):
    import pyenvc
    import pyenvc.docker.dockerignore
    import pyenvc.pipeline

from pyenvc.syntax.tree import Pyenv  # noqa: E402

KEYWORDS = list(inspect.signature(pyenvc.compile).parameters)[1:]

LINES = [
    "FROM debian\n", "FROM quay.io/astronomer/astro-runtime:12.1.0\n", "FROM apache/airflow:2.10.0 AS base\n",
    "FROM python:3.12-slim AS b\n", "FROM ${IMG}\n", "ARG IMG=debian\n", "PYENV 3.11 a\n", "PYENV 3.12 b r.txt\n",
    "PYENV --installer=uv 3.13 c\n", "PYENV 3.11 d sub/req.txt\n", "PYENV 3.10 e <<EOF\nrequests\nEOF\n", "USER app\n",
    "ENV A=b\n", "RUN echo hi\n", "COPY --from=0 / /\n", "WORKDIR /w\n", "# comment\n", "\n", "ONBUILD RUN x\n",
]

# the plausible values of each keyword: the right type, often the right kind of value
PLAUSIBLE: dict[str, list] = {
    "path": [["str", "Dockerfile"], ["str", "-"], ["path", ["str", "Dockerfile"]]],
    "context": [["none"], ["ctx"], ["str", "."], ["str", "/nonexistent"], ["path", ["ctx"]]],
    "build_args": [["none"], ["dict", [[["str", "IMG"], ["str", "python:3.11"]]]], ["dict", []]],
    "layout": [["str", "stages"], ["str", "inline"]],
    "installer": [["str", "pip"], ["str", "uv"]],
    "user": [["none"], ["str", "app"], ["str", "app:staff"], ["str", "root"]],
    "uid": [["none"], ["int", 0], ["int", 1000], ["int", 2**31 - 1]],
    "home": [["none"], ["str", "/home/app"], ["str", "/h/"]],
    "python_flavour": [["none"], ["str", "slim-bookworm"], ["str", "bookworm"], ["str", "alpine"]],
    "astro": [["bool", True], ["bool", False]],
    "runtime_images": [["tuple", []], ["list", [["str", "quay.io/me/runtime"]]]],
    "uv_image": [["str", "ghcr.io/astral-sh/uv:0.5.0"], ["str", "localhost:5000/uv"]],
}

_CONTEXT = tempfile.mkdtemp(prefix="pyenvc-fuzz-options-")
atexit.register(shutil.rmtree, _CONTEXT, True)
_IGNORE = "sub\n!sub/req.txt\n"  # the context's .dockerignore unless a call brings its own
_IGNORE_LINES = ["sub", "!sub/req.txt", "*.txt", "!r.txt", "**", "[z-a]", "!", "\\d", "r.t?t", "/sub/", "#x", "sub/**"]
for name, body in (("r.txt", "requests\n"), ("sub/req.txt", "x\n"), (".dockerignore", _IGNORE)):
    os.makedirs(os.path.join(_CONTEXT, os.path.dirname(name)), exist_ok=True)
    with open(os.path.join(_CONTEXT, name), "w") as f:
        f.write(body)


class _PathLike(os.PathLike):
    def __init__(self, value: Any) -> None:
        self.value = value

    def __fspath__(self) -> Any:
        return self.value


def _any(draw: Draw, depth: int = 0) -> list:
    """A tagged value of any type (see `build`)."""
    kind = draw.below(11 if depth < 2 else 7)
    if kind == 0:
        return ["none"]
    if kind == 1:
        return ["bool", draw.chance(2)]
    if kind == 2:
        return ["int", draw.integer()]
    if kind == 3:
        return ["float", draw.pick([0.0, 1.0, -1.5, 1e300])]
    if kind == 4:
        return ["str", draw.text()]
    if kind == 5:
        return ["bytes", draw.text().encode("utf-8", "surrogatepass").hex()]
    if kind == 6:
        return draw.pick([["object"], ["ctx"]])
    items = [_any(draw, depth + 1) for _ in range(draw.below(3))]
    if kind == 7:
        return ["list", items]
    if kind == 8:
        return ["tuple", items]
    if kind == 9:
        return ["dict", [[draw.pick([["str", draw.text(4)], ["int", 1], ["none"]]), item] for item in items]]
    return ["path", _any(draw, depth + 1)]


def build(tagged: list) -> Any:
    """The value a tagged value stands for."""
    tag, *rest = tagged
    if tag == "none":
        return None
    if tag in ("bool", "int", "float", "str"):
        return rest[0]
    if tag == "bytes":
        return bytes.fromhex(rest[0])
    if tag == "object":
        return object()
    if tag == "ctx":
        return _CONTEXT
    if tag == "list":
        return [build(item) for item in rest[0]]
    if tag == "tuple":
        return tuple(build(item) for item in rest[0])
    if tag == "dict":
        return {build(key): build(value) for key, value in rest[0]}
    if tag == "path":
        return _PathLike(build(rest[0]))
    raise ValueError(f"unknown tag {tag!r}")


def draw_call(data: bytes) -> dict:
    draw = Draw(data)
    lines = []
    for _ in range(1 + draw.below(8)):
        lines.append(draw.text(30) + "\n" if draw.chance(8) else draw.pick(LINES))
    options = {}
    for keyword in KEYWORDS:
        if draw.chance(2):
            continue
        plausible = PLAUSIBLE.get(keyword, [])
        options[keyword] = draw.pick(plausible) if plausible and not draw.chance(10) else _any(draw)
    call = {"text": "".join(lines), "options": options}
    if draw.chance(3):
        patterns = [draw.text(8) if draw.chance(4) else draw.pick(_IGNORE_LINES) for _ in range(draw.below(5))]
        call["dockerignore"] = "".join(p + draw.pick(["\n", "\r\n"]) for p in patterns)
    return call


def _has_pyenv(text: str) -> bool:
    return any(isinstance(node, Pyenv) for node in pyenvc.parse(text).instructions())


def check_call(call: dict) -> None:
    text, options = call["text"], {name: build(value) for name, value in call["options"].items()}
    with open(os.path.join(_CONTEXT, ".dockerignore"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(call.get("dockerignore", _IGNORE))
    try:
        result = pyenvc.compile(text, **options)
    except TypeError as error:  # at the boundary: the message names the keyword
        named = [k for k in options if str(error).startswith((f"{k} must be", f"each of {k} must be"))]
        if not named:
            raise AssertionError(f"a TypeError that names no keyword: {error}") from None
        return
    except ValueError:
        return
    if not isinstance(result, pyenvc.Result):
        raise AssertionError(f"compile returned {type(result).__name__}")
    if result.output is None:
        if not any(d.severity == "error" for d in result.diagnostics):
            raise AssertionError("no output and no error")
        return
    if _has_pyenv(result.output):
        raise AssertionError("a PYENV is left in the output")
    again = pyenvc.compile(result.output, **options)
    if again.output != result.output:
        raise AssertionError("the output does not compile to itself")


def check(data: bytes) -> None:
    check_call(draw_call(data))


if __name__ == "__main__":
    calls.main("options", draw_call, check)
