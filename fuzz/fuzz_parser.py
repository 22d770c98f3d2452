"""Coverage-guided fuzzing of the parser, the printer and the BuildKit view (atheris).

    python fuzz/fuzz_parser.py -max_total_time=600 WORKDIR [SEEDS...]

WORKDIR collects the inputs libFuzzer finds interesting (keep it outside the project); seed
it with the Dockerfiles of ../shared/corpus for a head start.

Any bytes in: `parse` must return a tree that prints back to the same text, or raise
ParseError with a span inside the text. Anything else is a crash, saved by libFuzzer as
`crash-*`; keep each one as a file in fuzz/regressions/ (tests/test_fuzz_regressions.py runs
them all).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():  # the modules themselves: pyenvc's names load lazily
    import pyenvc
    import pyenvc.pipeline
    import pyenvc.syntax.view


def check(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    try:
        tree = pyenvc.parse(text)
    except pyenvc.ParseError as error:
        for diagnostic in error.diagnostics:
            span = diagnostic.span
            if span is None or not 0 <= span.start <= span.end <= len(text):
                raise AssertionError(f"diagnostic without a valid span: {diagnostic}") from None
        return
    if pyenvc.emit(tree) != text:
        raise AssertionError("emit(parse(text)) != text")
    pyenvc.to_buildkit(tree)
    result = pyenvc.compile(text)  # the lowering never raises for bad input either
    if result.output is None and not any(d.severity == "error" for d in result.diagnostics):
        raise AssertionError("compile gave no output and no error")


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
