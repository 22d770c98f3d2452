"""The lowering options, each declared once: its name, type, default, choices, help, command-line
spelling and validator.

In: nothing; this is a table. Out: `OPTIONS`, and what is derived from it here: the `Options`
record the lowering reads (each field validated as it is set) and the keyword parameters of
`pyenvc.compile` (`parameters()`). The command line derives its arguments from the same table
(`pyenvc.commands.flags`): `--layout` for `pyenvc compile`, `--pyenvc-layout` for `pyenvc
build`. An option added here appears in all four places.

Validation follows the spec's library rules: a value of the wrong type raises `OptionTypeError`
(a TypeError naming the parameter; a bool is not an int here), a value the compiler cannot
honour raises `OptionValueError` (a ValueError); the command line turns both into one line and
exit 2. Every value reaches the output as exactly the word given, or is refused here.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any, Callable, NamedTuple, Optional, Sequence

import attrs

from pyenvc.docker import reference
from pyenvc.lowering import generate

LAYOUTS = ("inline", "stages")
INSTALLERS = ("pip", "uv")
DEFAULT_LAYOUT = "stages"
DEFAULT_INSTALLER = "uv"
MAX_UID = 2**31 - 1  # uids are signed 32-bit numbers in the kernel's and Docker's view

_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?\Z")
_FLAVOUR = re.compile(r"[a-z0-9][a-z0-9.-]*\Z")
_HOME_ELEMENT = re.compile(r"[A-Za-z0-9._-]+\Z")


class OptionTypeError(TypeError):
    """An option of the wrong type: the caller's mistake (the message names the parameter)."""


class OptionValueError(ValueError):
    """An option value the compiler cannot honour: the caller's mistake, not the input's."""


def shown(text: str) -> str:
    """`text` quoted for a one-line message: control characters, NUL and undecodable bytes
    escaped."""
    return "'" + "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text) + "'"


# -- the rules: a value of the right type -> the value the lowering uses -------------------------


def _home(value: str) -> str:
    """A plain absolute path: `/` then elements of letters, digits, `.`, `_` and `-`, none of
    them `.` or `..`; one trailing `/` is dropped."""
    elements = value[1:].removesuffix("/").split("/") if value.startswith("/") else []
    if not elements or not all(_HOME_ELEMENT.match(e) and e not in (".", "..") for e in elements):
        raise OptionValueError(
            f"invalid home {shown(value)}: expected an absolute path of letters, digits, '.', '_' and '-' "
            "(no '.' or '..' element), e.g. /home/astro"
        )
    return "/" + "/".join(elements)


def _uid(value: int) -> int:
    if not 0 <= value <= MAX_UID:
        raise OptionValueError(f"invalid uid {value}: expected a number from 0 to {MAX_UID}")
    return value


def _user(value: str) -> str:
    if not _USER.match(value):
        raise OptionValueError(
            f"invalid user {shown(value)}: expected a name of letters, digits, '_', '.' and '-' (optionally NAME:GROUP)"
        )
    return value


def _flavour(value: str) -> str:
    if not _FLAVOUR.match(value):
        raise OptionValueError(
            f"invalid python flavour {shown(value)}: expected lower-case letters, digits, '.' and '-', e.g. slim-bookworm"
        )
    return value


def _image(what: str, example: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            reference.parse(value)
        except reference.InvalidReference as problem:
            raise OptionValueError(
                f"invalid {what} {shown(value)}: {problem} (expected an image reference such as {example})"
            ) from None
        return value

    return check


# -- the table -----------------------------------------------------------------------------------


class Option(NamedTuple):
    name: str  # compile()'s keyword and the Options field: python_flavour
    type: type  # what the library takes: str, int or bool (a bool is not an int here)
    default: Any  # None: not given (the base image's known value is used)
    help: str  # for --help
    flag: str  # the command-line spelling; `pyenvc build` spells it --pyenvc-<flag without -->
    choices: tuple[str, ...] = ()  # when not empty, the only values accepted
    rule: Optional[Callable[[Any], Any]] = None  # right type -> value used; OptionValueError
    many: bool = False  # a sequence of values, the flag repeatable
    metavar: Optional[str] = None  # the value's name in --help (argparse's default: from the flag)

    @property
    def noun(self) -> str:
        """What one value is called in messages: `python flavour`, `runtime image`."""
        return self.name.replace("_", " ").removesuffix("s") if self.many else self.name.replace("_", " ")

    @property
    def annotation(self) -> str:
        """The parameter's annotation, as text (as the rest of compile()'s signature has it)."""
        kind = self.type.__name__
        if self.many:
            return f"Sequence[{kind}]"
        return f"Optional[{kind}]" if self.default is None else kind

    def check(self, value: Any) -> Any:
        """The value the lowering uses; raises OptionTypeError or OptionValueError."""
        if self.many:
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise OptionTypeError(f"{self.name} must be a sequence of {self.type.__name__}, not {type(value).__name__}")
            items = list(value)
            for item in items:  # every type before any value: a wrong type is a TypeError wherever it is
                self._check_type(item)
            return tuple(self.check_one(item) for item in items)
        if value is None and self.default is None:
            return None
        return self.check_one(value)

    def _check_type(self, value: Any) -> None:
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            expected = f"{self.type.__name__}" + (" or None" if self.default is None and not self.many else "")
            where = f"each of {self.name}" if self.many else self.name
            raise OptionTypeError(f"{where} must be {_article(expected)}, not {type(value).__name__}")

    def check_one(self, value: Any) -> Any:
        """One value: its type, then no NUL, then the choices, then the rule."""
        self._check_type(value)
        if isinstance(value, str) and "\0" in value:
            raise OptionValueError(f"invalid {self.noun} {shown(value)}: it has a NUL byte")
        if self.choices and value not in self.choices:
            raise OptionValueError(f"unknown {self.noun} {shown(value)}, expected one of: {', '.join(self.choices)}")
        return self.rule(value) if self.rule is not None else value

    def from_text(self, text: str) -> Any:
        """One value as the command line gives it (text), checked; raises OptionValueError."""
        if self.type is int:
            if not (text.isascii() and text.isdigit()):
                raise OptionValueError(f"invalid {self.noun} {shown(text)}: expected a number")
            return self.check_one(int(text))
        return self.check_one(text)


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


OPTIONS: tuple[Option, ...] = (
    Option("layout", str, DEFAULT_LAYOUT, flag="--layout", choices=LAYOUTS,
           help="stages (default): each venv built in a stage of its own, then copied in; inline: in place"),
    Option("installer", str, DEFAULT_INSTALLER, flag="--installer", choices=INSTALLERS,
           help=f"default for PYENVs without --installer (default {DEFAULT_INSTALLER})"),
    Option("user", str, None, flag="--user", rule=_user,
           help="the runtime user's name, for images pyenvc does not know"),
    Option("uid", int, None, flag="--uid", rule=_uid, help="the runtime user's numeric uid"),
    Option("home", str, None, flag="--home", rule=_home,
           help="the runtime user's home directory (venvs go to HOME/.venv/NAME)"),
    Option("python_flavour", str, None, flag="--python-flavour", rule=_flavour, metavar="FLAVOUR",
           help="the python image flavour, e.g. slim-bookworm"),
    Option("astro", bool, True, flag="--no-astro", help="switch the Astro Runtime rewrite off"),
    Option("runtime_images", str, (), flag="--runtime-image", many=True, metavar="REPO",
           rule=_image("runtime image", "quay.io/astronomer/astro-runtime"),
           help="another repository to treat as Astro Runtime (repeatable)"),
    Option("uv_image", str, generate.DEFAULT_UV_IMAGE, flag="--uv-image", metavar="IMAGE",
           rule=_image("uv image", generate.DEFAULT_UV_IMAGE),
           help=f"the image uv is taken from (/uv at its root; default {generate.DEFAULT_UV_IMAGE})"),
)
NAMES = frozenset(option.name for option in OPTIONS)


# -- the inputs beside the options: compile()'s own parameters ------------------------------------


def check_build_args(value: Optional[Mapping[str, str]]) -> dict[str, str]:
    """`build_args`: None or a mapping of str to str (ARG values for resolving FROM)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise OptionTypeError(f"build_args must be a mapping of str to str, not {type(value).__name__}")
    pairs = list(value.items())
    for key, item in pairs:  # every type before any value
        if not isinstance(key, str) or not isinstance(item, str):
            raise OptionTypeError(
                f"build_args must be a mapping of str to str, not of {type(key).__name__} to {type(item).__name__}"
            )
    for key, item in pairs:
        if "\0" in key or "\0" in item:
            raise OptionValueError(f"invalid build argument {shown(key)}={shown(item)}: it has a NUL byte")
    return dict(value)


# -- what is derived -----------------------------------------------------------------------------


def record(table: Sequence[Option] = OPTIONS) -> type:
    """The record class of `table`'s options: one field per option, set through its `check`;
    plus the build args (`check_build_args`) and the loaded build context (a BuildContext or
    None), which the lowering reads beside them."""
    fields: dict[str, Any] = {
        option.name: attrs.field(default=option.default, converter=option.check) for option in table
    }
    fields["build_args"] = attrs.field(factory=dict, converter=check_build_args)
    fields["context"] = attrs.field(default=None)
    cls = attrs.make_class("Options", fields, frozen=True, slots=True)
    cls.__module__ = __name__
    cls.__doc__ = "The lowering options (one field per entry of the options table), validated as they are set."
    return cls


Options = record()


def parameters(table: Sequence[Option] = OPTIONS) -> list[inspect.Parameter]:
    """compile()'s keyword parameters for `table`'s options, in table order."""
    return [
        inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=option.default, annotation=option.annotation)
        for option in table
    ]


__all__ = [
    "DEFAULT_INSTALLER", "DEFAULT_LAYOUT", "INSTALLERS", "LAYOUTS", "NAMES", "OPTIONS", "Option",
    "OptionTypeError", "OptionValueError", "Options", "check_build_args", "parameters", "record",
]
