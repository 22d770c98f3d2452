"""The lossless syntax tree: scanner, parser, nodes, printer.

Importing the package installs the parser's reader of instruction arguments on the nodes, so a
node's typed fields work whichever module of the package was imported first."""

from pyenvc.syntax import parser as _parser  # noqa: F401
