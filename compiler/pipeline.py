"""`pyenvc.compile`: a Dockerfile's text -> parse -> lower -> emit -> the generated text, with
the diagnostics alongside.

In: the text and the options (the table in `pyenvc.lowering.options`). Out: a `Result`. Bad
input text never raises: its problems are diagnostics, and the output is None when any is an
error. A caller's mistake does: an argument of the wrong type is a TypeError naming the
parameter, an option value the compiler cannot honour a ValueError; both before anything is
read.
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Mapping, Optional, Sequence, Union  # Sequence: the options table's annotations (table.parameters) name it

import attrs

from pyenvc.diagnostics import has_errors
from pyenvc.lowering import options as table
from pyenvc.lowering.context import BuildContext
from pyenvc.lowering.lower import lower
from pyenvc.lowering.options import Options, OptionTypeError, OptionValueError, shown
from pyenvc.syntax.parser import ParseError, parse
from pyenvc.syntax.printer import LineMap, emit_mapped
from pyenvc.source import Source

__all__ = ["Result", "compile"]


@attrs.frozen
class Result:
    """What `compile` gives: the generated Dockerfile (None when there is an error), every
    diagnostic, and where each output line came from."""

    output: Optional[str]  # the generated Dockerfile; None when there are errors
    diagnostics: list  # list[Diagnostic], errors and warnings, in source order
    # each line of `output` -> the source line it came from; None when there are errors
    line_map: Optional[LineMap] = None


def _path(name: str, value: Any, optional: bool) -> Optional[str]:
    """`path` or `context`: a str or os.PathLike naming a file system path (text, not bytes)."""
    if value is None and optional:
        return None
    expected = "a str path" + (" or None" if optional else "")
    try:
        text = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    except TypeError:  # an __fspath__ that returns neither str nor bytes
        text = None
    if not isinstance(text, str):
        raise OptionTypeError(f"{name} must be {expected}, not {type(value).__name__}")
    if "\0" in text:
        raise OptionValueError(f"invalid {name} {shown(text)}: it has a NUL byte")
    return text


def compile(  # noqa: A001 - the spec's name
    text: str,
    *,
    path: Union[str, os.PathLike] = "Dockerfile",
    context: Union[str, os.PathLike, None] = None,
    build_args: Optional[Mapping[str, str]] = None,
    **options: Any,
) -> Result:
    """Compile a Dockerfile's text. Never raises for bad input: problems are diagnostics.

    The keyword options are those of the options table (`pyenvc.lowering.options.OPTIONS`;
    `inspect.signature(pyenvc.compile)` lists them with their defaults). A value of the wrong
    type raises TypeError naming the parameter; a value the compiler cannot honour (an unknown
    layout, a relative home, a uid out of range, a NUL byte) raises ValueError.
    """
    if not isinstance(text, str):
        raise OptionTypeError(f"text must be a str, not {type(text).__name__}")
    path = _path("path", path, optional=False)
    context = _path("context", context, optional=True)
    for name in options:
        if name not in table.NAMES:
            raise OptionTypeError(f"compile() got an unexpected keyword argument '{name}'")
    settings = Options(build_args=build_args, **options)
    source = Source(text, path)
    try:
        tree = parse(text)
    except ParseError as error:
        return Result(None, [attrs.evolve(d, path=path) for d in error.diagnostics])
    if context is not None:
        dockerfile = path if path not in ("-", "<stdin>") and os.path.isfile(path) else None
        settings = attrs.evolve(settings, context=BuildContext.load(context, dockerfile))
    lowered, diagnostics = lower(tree, source, settings)
    if has_errors(diagnostics):
        return Result(None, diagnostics)
    output, line_map = emit_mapped(lowered, source)
    return Result(output, diagnostics, line_map)


compile.__signature__ = inspect.signature(compile).replace(  # type: ignore[attr-defined]
    parameters=[*list(inspect.signature(compile).parameters.values())[:-1], *table.parameters()]
)
