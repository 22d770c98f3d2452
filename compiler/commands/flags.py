"""The lowering options on the command line, derived from the options table
(`pyenvc.lowering.options.OPTIONS`): `--layout` and the rest for `pyenvc compile`,
`--pyenvc-layout` and the rest for `pyenvc build`, with the same types, choices, defaults, help
and validators; plus `--format`, which both commands have.

In: an ArgumentParser and a prefix. Out: the parser with one argument per option, whose dest
is the option's name, so `keywords(namespace)` gives `pyenvc.compile`'s keyword arguments. A
value the library would refuse is an argparse error here (one line, exit 2), naming the flag.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable, Sequence

from pyenvc.lowering.options import OPTIONS, Option, OptionTypeError, OptionValueError

FORMATS = ("text", "json")


def _from_text(option: Option) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return option.from_text(text)
        except (OptionTypeError, OptionValueError) as problem:
            raise argparse.ArgumentTypeError(str(problem)) from None

    return convert


def spelling(option: Option, prefix: str = "--") -> str:
    """The option's flag with `prefix` in place of `--`: --no-astro, --pyenvc-no-astro."""
    return prefix + option.flag[2:]


def add_lowering_options(
    parser: argparse.ArgumentParser, prefix: str = "--", table: Sequence[Option] = OPTIONS
) -> dict[str, bool]:
    """Add one argument per option of `table`, spelled with `prefix`; returns each option string
    and whether it takes a value (a bool option is a switch that sets the other value)."""
    takes_value: dict[str, bool] = {}
    for option in table:
        flag = spelling(option, prefix)
        if option.type is bool:
            action = "store_false" if option.default else "store_true"
            parser.add_argument(flag, dest=option.name, action=action, default=option.default, help=option.help)
            takes_value[flag] = False
            continue
        parser.add_argument(
            flag,
            dest=option.name,
            type=_from_text(option),
            action="append" if option.many else "store",
            default=list(option.default) if option.many else option.default,
            choices=option.choices or None,
            metavar=option.metavar,
            help=option.help,
        )
        takes_value[flag] = True
    return takes_value


def keywords(namespace: argparse.Namespace, table: Sequence[Option] = OPTIONS) -> dict[str, Any]:
    """`pyenvc.compile`'s keyword arguments for the options of `table` in a parsed namespace."""
    return {option.name: getattr(namespace, option.name) for option in table}


def add_format(parser: argparse.ArgumentParser, prefix: str = "--") -> None:
    parser.add_argument(prefix + "format", dest="format", default="text", choices=FORMATS,
                        help="diagnostics for people or machines")
