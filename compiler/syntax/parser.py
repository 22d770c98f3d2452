"""Text -> lossless syntax tree: Lark's LALR parser of grammar.lark over the scanner's tokens
(and, for a node's typed fields, over the tokens of its arguments).

`parse` is the only entry point. Whatever the input, it returns a Dockerfile or raises
ParseError carrying diagnostics with spans; no other exception escapes.

Which parser runs: importing Lark costs about as much as everything else a compile does, so a
process parses with Lark's *standalone* parser instead, generated from grammar.lark by Lark's own
generator (`lark.tools.standalone`) on first use and kept in the per-user cache folder
($XDG_CACHE_HOME/pyenvc or ~/.cache/pyenvc) as compiled code, keyed by the grammar, Lark's version
and Python's; the next process runs it without importing Lark. It holds Lark's own code, so it
is never part of the repository. Where the folder cannot be written, the file is damaged or
from elsewhere, or generating fails, `parse` uses Lark itself (its tables from Lark's own cache
file when one matches): the same grammar, the same trees, only a slower start.
"""

from __future__ import annotations

import functools
import os
import sys
import types
from typing import Any, Iterable, Iterator, Optional

import attrs

from pyenvc.syntax import arguments, lexer, tree
from pyenvc.syntax.arguments import ToArguments
from pyenvc.diagnostics import Diagnostic
from pyenvc.syntax.lexer import NodeToken, ParseError
from pyenvc.source import Source, Span
from pyenvc.syntax.tree import Dockerfile, Node

__all__ = ["ParseError", "parse", "grammar"]


class _ToSyntax:
    """Builds the tree from the tokens; the scanner already made each token's node. Lark calls
    these methods by rule name; a plain class (not lark.Transformer) serves Lark and the
    standalone parser alike, which each have a Transformer class of their own."""

    def start(self, children: list[Any]) -> Dockerfile:
        bom = None
        directives = []
        body = []
        for child in children:
            if isinstance(child, list):  # statements
                body = child
            elif child.type == "BOM":
                bom = child.node
            elif child.type == "DIRECTIVE":
                directives.append(child.node)
            else:  # the comment and blank lines that end the file
                body.append(child.node)
        escape = "\\"
        for directive in directives:
            if directive.name == "escape":
                escape = directive.value
        return Dockerfile(bom, tuple(directives), tuple(body), escape)

    def statements(self, children: list[Any]) -> list[Node]:
        if not children:
            return []
        body, token = children
        if token.prefix is not None:
            body.append(token.prefix)
        body.append(token.node)
        return body

    def heredoc_instruction(self, children: list[NodeToken]) -> NodeToken:
        """The instruction's token, its node given the heredoc bodies."""
        instruction = children[0]
        node = attrs.evolve(instruction.node, heredocs=tuple(child.node for child in children[1:]))
        return NodeToken(instruction.type, node, instruction.prefix)


class _Rules(_ToSyntax, ToArguments):
    """Every rule of grammar.lark: the file's (`start`) and an instruction's (`arguments`)."""


# grammar.lark's two start rules: a whole file, and one instruction's arguments
START = ["start", "arguments"]


class _Tokens:
    """Lark's side of the scanner. `parse` hands the parser `scan(text)`, the tokens
    themselves: Lark lets a custom lexer take any input, and a str would first be wrapped for
    Lark's own lexers, a cost paid per file. Mixed into the Lexer base class of Lark or of the
    standalone parser (see `_lexer_class`), each of which checks for its own."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, tokens: Iterable[NodeToken]) -> Iterator[NodeToken]:
        return iter(tokens)


def _lexer_class(base: type) -> type:
    return type("DockerfileLexer", (_Tokens, base), {"__module__": __name__})


@functools.lru_cache(maxsize=None)
def _lark_lexer() -> type:
    """The custom lexer for Lark itself, module attribute `DockerfileLexer` (Lark's cache file
    pickles the class by name)."""
    from lark.lexer import Lexer

    globals()["DockerfileLexer"] = cls = _lexer_class(Lexer)
    return cls


def __getattr__(name: str) -> Any:
    if name == "DockerfileLexer":  # built on first use: it imports Lark
        return _lark_lexer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cache_folder() -> Optional[str]:
    """The per-user cache folder, made if need be; None where there is no place for it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "pyenvc")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder


def _cache_file() -> Optional[str]:
    """A per-user file for Lark's analysed grammar (Lark checks a hash of the grammar, its
    options and its own version before it trusts the file). None where there is no place."""
    folder = _cache_folder()
    if folder is None:
        return None
    return os.path.join(folder, f"grammar-py{sys.version_info[0]}{sys.version_info[1]}.lark")


def _lark(cached: bool) -> tuple[Any, type]:
    """Lark itself, and the base class of its errors. Its LALR tables are read from Lark's
    cache file when one matches (building them costs ~20 ms). `cached=False` builds them
    afresh and keeps the analysed grammar on the object, which tools that walk the grammar
    (Hypothesis' from_lark) need."""
    from lark import Lark
    from lark.exceptions import LarkError

    options = dict(parser="lalr", lexer=_lark_lexer(), transformer=_Rules(), start=START)
    cache = _cache_file() if cached else None
    if cache is not None:
        try:
            return Lark.open_from_package("pyenvc", "grammar.lark", cache=cache, **options), LarkError
        except Exception:  # an unreadable or foreign cache file: build the tables instead
            pass
    return Lark.open_from_package("pyenvc", "grammar.lark", **options), LarkError


# ---------------------------------------------------------------- the standalone parser

# The cache file: this line, the CRC-32 of the rest in hex and a newline, then the rest:
# marshal.dumps((inputs, code)), where inputs are what the file was made from (_inputs()) and code
# is the compiled standalone module, or None where generating it failed for those inputs (then
# Lark is used without trying again). Bump the number when anything about the file changes.
_MAGIC = b"pyenvc lark-standalone 1\n"
_MODULE = "pyenvc._lark_standalone"


def _inputs() -> Optional[tuple[str, ...]]:
    """What the generated parser depends on: grammar.lark's text, Lark's version (the text of
    its __init__.py, which names it; found without importing Lark), and Python's version and
    bytecode magic (the file holds compiled code). None where one cannot be read."""
    import importlib.util

    try:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(here, "grammar.lark"), encoding="utf-8") as f:
            grammar_text = f.read()
        spec = importlib.util.find_spec("lark")
        if spec is None or not spec.origin or not os.path.isfile(spec.origin):
            return None
        with open(spec.origin, encoding="utf-8") as f:
            lark_text = f.read()
    except (OSError, ValueError, ImportError):
        return None
    return grammar_text, lark_text, sys.version, importlib.util.MAGIC_NUMBER.hex()


def _cache_path(folder: str, inputs: tuple[str, ...]) -> str:
    import zlib

    key = zlib.crc32("\0".join(inputs).encode("utf-8", "surrogatepass"))
    tag = sys.implementation.cache_tag or f"py{sys.version_info[0]}{sys.version_info[1]}"
    return os.path.join(folder, f"parser-{tag}-{key:08x}.bin")


def _with_lexer(data: dict, lexer_class: type) -> dict:
    """The generated tables with the scanner as the lexer. They are generated for Lark's
    'basic' lexer (a class cannot be written into the generated file); the LALR tables do not
    depend on the lexer, and with a custom lexer class Lark never builds its own."""
    parser = dict(data["parser"])
    parser["lexer_conf"] = {**parser["lexer_conf"], "lexer_type": lexer_class}
    return {**data, "parser": parser, "options": {**data["options"], "lexer": lexer_class}}


# Modules the generated code imports for Lark.save and Lark.load (and compressed tables, which
# are not used here), never for a parse: ~3 ms of a start-up. It gets stand-ins that import them
# on first use.
_DEFERRED = frozenset({"pickle", "base64"})


class _OnFirstUse(types.ModuleType):
    """A module whose missing attributes come from the real module of that name, imported
    on first use."""

    def __getattr__(self, name: str) -> Any:
        from importlib import import_module

        return getattr(import_module(self.__name__), name)


class _QuietLogger:
    """What the generated code's `logger` is when the logging module is not loaded yet: it sets
    its level to CRITICAL, which Lark never logs at, so every call would be dropped anyway;
    `import logging` alone is ~3.5 ms of a start-up."""

    def _drop(self, *args: Any, **kwargs: Any) -> None:
        return None

    debug = info = warning = error = exception = critical = addHandler = setLevel = _drop


class _QuietLogging(types.ModuleType):
    """The few names of `logging` the generated code's module level uses."""

    CRITICAL = 50
    Logger = _QuietLogger

    def __init__(self) -> None:
        super().__init__("logging")

    @staticmethod
    def getLogger(name: str = "") -> _QuietLogger:
        return _QuietLogger()

    @staticmethod
    def StreamHandler(*args: Any) -> None:
        return None


def _deferring_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
    if not fromlist and not level and name not in sys.modules:
        if name in _DEFERRED:
            return _OnFirstUse(name)
        if name == "logging":
            return _QuietLogging()
    return __import__(name, globals, locals, fromlist, level)


def _run_standalone(code: Any, path: str) -> tuple[Any, type]:
    """Execute the generated module and make its parser: the scanner as lexer, _ToSyntax as
    transformer (the same options as Lark's in `_lark`)."""
    import builtins

    module = types.ModuleType(_MODULE)
    module.__file__ = path
    module.__builtins__ = {**builtins.__dict__, "__import__": _deferring_import}
    previous = sys.modules.get(_MODULE)
    sys.modules[_MODULE] = module  # dataclasses look their module up while they are made
    try:
        exec(code, module.__dict__)
        module.DATA = _with_lexer(module.DATA, _lexer_class(module.Lexer))
        return module.Lark_StandAlone(transformer=_Rules()), module.LarkError
    except BaseException:
        _restore(previous)
        raise


def _restore(previous: Optional[types.ModuleType]) -> None:
    if previous is None:
        sys.modules.pop(_MODULE, None)
    else:
        sys.modules[_MODULE] = previous


def _read_standalone(path: str, inputs: tuple[str, ...]) -> Optional[tuple[Any, Optional[type]]]:
    """The parser kept at `path`: (parser, error class); (None, None) where the file says
    generating failed for these inputs; None where there is no usable file."""
    import marshal
    import zlib

    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if not blob.startswith(_MAGIC):
        return None
    check, _, payload = blob[len(_MAGIC):].partition(b"\n")
    if check != b"%08x" % zlib.crc32(payload):
        return None
    try:
        stored, code = marshal.loads(payload)
        if stored != inputs:
            return None
        if code is None:
            return None, None
        return _run_standalone(code, path)
    except Exception:  # a file from another pyenvc, or damaged past its checksum
        return None


def _write_standalone(folder: str, path: str, inputs: tuple[str, ...], code: Any) -> None:
    """Write the cache file through a temporary file and os.replace, so that a reader sees
    the old file or the new one, never part of one."""
    import marshal
    import tempfile
    import zlib

    payload = marshal.dumps((inputs, code))
    data = _MAGIC + b"%08x\n" % zlib.crc32(payload) + payload
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".parser-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass


def _generate_standalone(path: str, grammar_text: str) -> tuple[Any, Any, type]:
    """Generate the standalone parser with Lark's own generator: (its code, parser, error
    class). Raises whatever goes wrong."""
    import io

    from lark import Lark
    from lark.tools.standalone import gen_standalone

    out = io.StringIO()
    gen_standalone(Lark(grammar_text, parser="lalr", lexer="basic", start=START), out=out)
    code = compile(out.getvalue(), path, "exec")
    previous = sys.modules.get(_MODULE)
    parser, error = _run_standalone(code, path)
    try:
        tree = parser.parse(lexer.scan("FROM a\nRUN <<EOF\nx\nEOF\n"), start="start")
        if not (isinstance(tree, Dockerfile) and tree.body[1].heredocs):
            raise TypeError(f"the generated parser made {tree!r}")
    except BaseException:
        _restore(previous)
        raise
    return code, parser, error


def _standalone() -> Optional[tuple[Any, type]]:
    """The standalone parser and the base class of its errors, read from the cache or
    generated into it; None where Lark itself is to be used."""
    folder = _cache_folder()
    inputs = _inputs() if folder is not None else None
    if folder is None or inputs is None:
        return None
    path = _cache_path(folder, inputs)
    kept = _read_standalone(path, inputs)
    if kept is not None:
        parser, error = kept
        return None if parser is None else (parser, error)
    if not os.access(folder, os.W_OK):  # nowhere to keep it: generating on every run would cost more
        return None
    try:
        code, parser, error = _generate_standalone(path, inputs[0])
    except Exception:  # noqa: BLE001 - Lark itself parses; remember not to try again
        _write_standalone(folder, path, inputs, None)
        return None
    _write_standalone(folder, path, inputs, code)
    return parser, error


@functools.lru_cache(maxsize=None)
def _parser() -> tuple[Any, type]:
    """The parser `parse` uses, built once per process, and the base class of its errors."""
    return _standalone() or _lark(cached=True)


@functools.lru_cache(maxsize=None)
def grammar(cached: bool = True) -> Any:
    """The parser for grammar.lark, built once per process: the one `parse` uses (the
    standalone parser, or Lark where that cannot be had). `cached=False` gives Lark itself,
    its tables built afresh and the analysed grammar kept on the object, which tools that walk
    the grammar (Hypothesis' from_lark) need."""
    if cached:
        return _parser()[0]
    return _lark(cached=False)[0]


def parse(text: str) -> Dockerfile:
    """Parse a Dockerfile's text (its bytes decoded as UTF-8 with errors="surrogateescape")."""
    if not isinstance(text, str):
        raise TypeError(f"parse() takes str, not {type(text).__name__}")
    parser, parser_error = _parser()
    try:
        return parser.parse(lexer.scan(text), start="start")
    except ParseError:
        raise
    except parser_error as problem:  # the scanner's tokens broke the grammar: a bug, but say where
        source = Source(text)
        position = getattr(problem, "pos_in_stream", None) or 0
        raise ParseError(
            [Diagnostic.at(source, Span(position, position), "DF010", f"internal parser error: {problem}",
                           "report this file to pyenvc's maintainers")]
        ) from None


# The nodes' typed fields are read by the `arguments` rules of the parser in use.
tree.read_arguments_with(lambda node: arguments.read(node, grammar()))
