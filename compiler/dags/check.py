"""`check-dags`' analysis: DAG files' venv names against the Dockerfile's PYENV lines (the
command itself is commands/check_dags.py).

In: a Dockerfile's text, DAG files or folders, and which stage is the image (the last, or
`--target NAME`; `--build-arg` values resolve FROM as BuildKit does). Out: diagnostics, each
knowing its file — DAG001 (error) for every venv name a task uses that the image does not
declare, at the name's string; DAG002 (warning) for every PYENV of the image whose venv no task
uses, at the venv name in the Dockerfile; DAG003 (warning: Airflow reports it as an import error anyway) for
a DAG file that is not Python source; DAG006 and DAG007 for a name a venv task's function reads
that only the DAG file outside it binds (dags/venv_scope.py); DAG008 for syntax Airflow's own
Python cannot parse and DAG009 for a venv function its venv's Python cannot parse
(dags/syntax_checks.py); or the Dockerfile's own parse errors. Each Diagnostic's `path` names
its file. `check` also returns a one-line summary: the counts, and what was checked and skipped.

The image declares the venvs of the PYENVs in its target stage and in the stages that stage is
built FROM, transitively (syntax/stages.py reads them as BuildKit does). A PYENV in any other
stage is not in the image: a task naming its venv is DAG001, with a hint saying where it is.

DAG files are read with `ast` and never imported or run: nothing in them executes, and Airflow
need not be installed. What counts as naming a venv, through whatever import alias:

- `@task.venv("x")`, `@task.venv(venv="x")` and `task.venv("x")(fn)`, where `task` is
  `airflow.sdk.task` or `airflow.decorators.task` (`from airflow.sdk import task as t`,
  `import airflow.sdk as sdk` then `sdk.task.venv`, `from airflow.sdk import *`, `t = task`);
- `venv_task("x")`, the provider's factory behind `task.venv`;
- `VenvOperator(venv="x", ...)`, the provider's classic operator (`pyenvc_airflow.VenvOperator`
  or `pyenvc_airflow.operator.VenvOperator`, under any alias).

A name given as a string literal is checked, and so is a module-level constant assigned a
string literal exactly once (`VENV = "p310"` then `@task.venv(VENV)`; the error then points at
`VENV` in the call). Any other name (an f-string, a parameter, a call, a Jinja template like
`"{{ params.venv }}"`, which the provider resolves when the task runs) is dynamic: it is
skipped, never an error, because only running the DAG could tell its value. Diagnostics have no
"info" severity, so dynamic names are not reported on their own; they are mentioned in the hint
of each DAG002 warning, since such a task may be the one using that PYENV.

Name resolution is flow-insensitive (every import and simple alias in a file counts, wherever
it is) and leans towards finding usages. Folders are searched recursively for `*.py`, skipping
`__pycache__` and folders whose names start with a dot (`.venv`, `.git`); `.airflowignore` is
not read. A file named explicitly is read whatever its extension. Which files are read is
dags/walk.py's: a path that cannot be read (a dangling link, a FIFO, a file its permissions
close) is a DAG004 error and a folder reached twice through links a DAG005 error, never an abort.

Exit codes as for the compiler: 0 ok (warnings allowed), 1 errors (in the DAG files or the
Dockerfile), 2 usage or I/O (a named path that does not exist, an unreadable Dockerfile). The findings are this command's
output, so they go to stdout (as ruff's and mypy's do); usage and I/O errors go to stderr as one
line.
"""

from __future__ import annotations

import ast
import copy
import difflib
import io
import re
import sys
import tokenize
from functools import partial
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence, Union

import attrs

from pyenvc.dags import other_python, statements, syntax_checks, venv_scope
from pyenvc.dags.statements import Chunk
from pyenvc.dags.walk import Unreadable, dag_files, read_error
from pyenvc.diagnostics import Diagnostic
from pyenvc.syntax import stages
from pyenvc.syntax.parser import ParseError, parse
from pyenvc.source import Source, Span
from pyenvc.syntax.stages import Stage
from pyenvc.syntax.tree import Pyenv

__all__ = ["UnknownTarget", "check", "check_dags"]

# Qualified names of the callables whose first argument (or `venv=`) names a venv.
_TASK_OBJECTS = ("airflow.sdk.task", "airflow.decorators.task", "airflow.sdk.definitions.decorators.task")
_DECORATORS = frozenset(
    [f"{task}.venv" for task in _TASK_OBJECTS] + ["pyenvc_airflow.venv_task", "pyenvc_airflow.decorator.venv_task"]
)
# ... and those that take it only as the keyword `venv=`.
_OPERATORS = frozenset(["pyenvc_airflow.VenvOperator", "pyenvc_airflow.operator.VenvOperator"])
# What `from MODULE import *` binds that matters here.
_STAR_EXPORTS = {
    "airflow.sdk": ("task",),
    "airflow.decorators": ("task",),
    "pyenvc_airflow": ("VenvOperator", "venv_task"),
}

_LONE_CR = re.compile(r"\r(?!\n)")
_VENV_NAME = re.compile(r"[A-Za-z0-9_-]+")  # what PYENV accepts (PYENV013)


# ---------------------------------------------------------------------------------------------
# The Dockerfile: which venvs the PYENV lines declare, and where


class UnknownTarget(ValueError):
    """`--target NAME` names no stage of the Dockerfile."""


@attrs.frozen
class _Declared:
    name: str  # the venv name as written
    span: Span  # the name's offsets in the Dockerfile's text
    stage: Stage  # the stage whose PYENV it is
    version: str  # the PYENV's version word as written (3.8, 3.12.1)


def _declared_venvs(in_stages: Iterable[Stage]) -> list[_Declared]:
    """The venv name of every PYENV in `in_stages`, in their order.

    A PYENV too malformed to have a name (in JSON form, with a flag or a variable where the name
    goes) is skipped: compiling the Dockerfile reports it."""
    declared = []
    for stage in in_stages:
        for node in stage.instructions:
            if not isinstance(node, Pyenv) or node.name is None:
                continue
            version, name = node.version, node.name
            if version.value.startswith("[") or name.value.startswith("--") or "$" in name.value:
                continue
            declared.append(_Declared(name.value, name.span, stage, version.value))
    return declared


def _target(all_stages: Sequence[Stage], target: Optional[str], dockerfile: str) -> Optional[Stage]:
    """The stage the image is: `--target`'s, else the last (None when there is no FROM)."""
    if target is None:
        return all_stages[-1] if all_stages else None
    found = stages.find(all_stages, target)
    if found is None:
        names = list(dict.fromkeys(s.name for s in all_stages if s.name is not None))
        have = f"its stages are {', '.join(repr(n) for n in names)}" if names else "it names no stage"
        raise UnknownTarget(f"no stage named '{target}' in {dockerfile} for --target: {have}")
    return found


def _stage_name(stage: Stage, dockerfile: Source) -> str:
    if stage.name is not None:
        return f"stage '{stage.name}'"
    return f"the stage at line {dockerfile.position(stage.node.start).line}"


# ---------------------------------------------------------------------------------------------
# DAG files: where tasks name venvs


@attrs.frozen
class _Usage:
    name: Optional[str]  # the venv name; None when it is dynamic
    node: ast.expr  # where to point: the string literal, or the constant's name in the call
    via: Optional[str] = None  # the module constant that holds the name, if any
    function: Optional[ast.AST] = None  # the def that runs in the venv, when it can be told


class _Module:
    """One DAG file, read one top-level statement at a time (dags/statements.py), so that no
    tree of the whole file is ever held (it is ~180x the file's size).

    Construction reads every statement once: import aliases, simple aliases, string constants
    and where each def is. `usages` reads again only the statements whose text names something
    a venv call can start from (and the defs those calls name); `bindings` only those whose
    text names one of the names asked for. A venv function is kept as a stub (its type, name
    and position, no body) with the names it reads from outside, found while its tree is live."""

    def __init__(
        self,
        text: str,
        statements: Iterable[tuple[Chunk, ast.Module]],
        reparse: Callable[[Chunk], ast.Module],
    ) -> None:
        self._text = text
        self._reparse = reparse  # a chunk's tree again
        self._chunks: list[Chunk] = []
        self._defs: dict[str, list[int]] = {}  # def name -> the chunk of each def of that name
        self._functions: dict[tuple[int, int], ast.AST] = {}  # (line, column) of a def -> its stub
        self._named: dict[str, ast.AST] = {}  # the stub of the one def of each name asked for
        self.reads: dict[int, dict[str, list[ast.Name]]] = {}  # id(stub) -> names read from outside
        self.imports: dict[str, str] = {}  # local name -> qualified name
        self.aliases: dict[str, ast.expr] = {}  # `t = task`: local name -> the expression
        self.constants: dict[str, str] = {}  # module-level `NAME = "literal"` assigned once
        stores: dict[str, int] = {}
        literals: dict[str, str] = {}  # module-level `NAME = "literal"`, however often assigned
        first_alias: dict[str, tuple[int, int]] = {}  # name -> (depth, chunk) of the alias kept
        for index, (chunk, tree) in enumerate(statements):
            self._chunks.append(chunk)
            imports = []
            for depth, node in _levels(tree):
                for name in _stored_names(node):
                    stores[name] = stores.get(name, 0) + 1
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    imports.append(node)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._defs.setdefault(node.name, []).append(index)
                elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    # the first in ast.walk's order over the whole file: by depth, then in source order
                    name = node.targets[0].id
                    if isinstance(node.value, (ast.Name, ast.Attribute)) and (depth, index) < first_alias.get(
                        name, (depth + 1, 0)
                    ):
                        first_alias[name] = (depth, index)
                        self.aliases[name] = node.value
            imports.sort(key=lambda n: (n.lineno, n.col_offset))
            for node in imports:
                self._import(node)
            for node in tree.body:
                literal = _string_constant(node)
                if literal is not None:
                    literals[literal[0]] = literal[1]
        self.constants = {name: value for name, value in literals.items() if stores.get(name) == 1}

    def _import(self, node: Union[ast.Import, ast.ImportFrom]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
            return
        if node.level or not node.module:  # a relative import is the project's own code
            return
        for alias in node.names:
            if alias.name == "*":
                for name in _STAR_EXPORTS.get(node.module, ()):
                    self.imports[name] = f"{node.module}.{name}"
            else:
                self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualified(self, expr: ast.expr, depth: int = 0) -> Optional[str]:
        """`sdk.task.venv` -> `airflow.sdk.task.venv` when `import airflow.sdk as sdk`."""
        if depth > 20:  # `a = b; b = a`
            return None
        if isinstance(expr, ast.Name):
            if expr.id in self.imports:
                return self.imports[expr.id]
            if expr.id in self.aliases:
                return self.qualified(self.aliases[expr.id], depth + 1)
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualified(expr.value, depth + 1)
            return None if base is None else f"{base}.{expr.attr}"
        return None

    def usages(self) -> list[_Usage]:
        """Every call that names a venv, in source order."""
        found = list(self._usages())
        found.sort(key=lambda usage: (usage.node.lineno, usage.node.col_offset))
        return found

    def _usages(self) -> Iterator[_Usage]:
        roots = [name for name in {**self.imports, **self.aliases} if _leads_to_venv(self.qualified(ast.Name(id=name)))]
        if not roots:
            return
        for index in self._chunks_naming(roots):
            yield from self._usages_in(index, self._reparse(self._chunks[index]))

    def _chunks_naming(self, names: Iterable[str]) -> Iterator[int]:
        """The chunks whose text has one of `names` as a word (or any non-ASCII character:
        identifiers are NFKC-normalised, `ｔａｓｋ` is `task`); the others cannot use them."""
        alternatives = "|".join(map(re.escape, sorted(names)))
        named = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)|[^\x00-\x7f]")
        for index, chunk in enumerate(self._chunks):
            if named.search(self._text, chunk.start, chunk.end):
                yield index

    def _usages_in(self, index: int, tree: ast.Module) -> Iterator[_Usage]:
        decorated: dict[int, ast.AST] = {}  # id(decorator call) -> the def it decorates
        applied: dict[int, ast.Call] = {}  # id(call) -> the call that calls its result: `x(...)(fn)`
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    decorated[id(decorator)] = node
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
                applied[id(node.func)] = node

        def named(expr: Optional[ast.expr]) -> Optional[ast.AST]:
            """The def a callable argument names, when the file has exactly one of that name."""
            found = self._defs.get(expr.id, []) if isinstance(expr, ast.Name) else []
            if len(found) != 1:
                return None
            assert isinstance(expr, ast.Name)
            if expr.id not in self._named:  # read its chunk once, however many calls name it
                where = tree if found[0] == index else self._reparse(self._chunks[found[0]])
                self._named[expr.id] = self._function(next(
                    n for n in ast.walk(where) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == expr.id
                ))
            return self._named[expr.id]

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = self.qualified(node.func)
            if callee in _DECORATORS:
                argument = _argument(node, positional=True)
                outer = applied.get(id(node))
                here = decorated.get(id(node))
                function = self._function(here) if here is not None else named(
                    _callable(node, 1) or (_callable(outer, 0) if outer is not None else None)
                )
            elif callee in _OPERATORS:
                argument = _argument(node, positional=False)
                function = named(_callable(node, None))
            else:
                continue
            if argument is None:  # no venv argument at all: Airflow's TypeError, not ours
                continue
            if argument is _DYNAMIC:
                yield _Usage(None, node, function=function)
            elif isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                name = None if _is_template(argument.value) else argument.value
                yield _Usage(name, argument, function=function)
            elif isinstance(argument, ast.Name) and argument.id in self.constants:
                value = self.constants[argument.id]
                yield _Usage(None if _is_template(value) else value, argument, via=argument.id, function=function)
            else:
                yield _Usage(None, argument, function=function)

    def _function(self, node: ast.AST) -> ast.AST:
        """The stub of a venv function's def, the same one each time; the names it reads from
        outside are found now, while its tree is live."""
        key = (node.lineno, node.col_offset)
        if key not in self._functions:
            stub = self._functions[key] = _positioned(node)
            reads: dict[str, list[ast.Name]] = {}
            for name in venv_scope.outside_names(node):
                reads.setdefault(name.id, []).append(name)
            self.reads[id(stub)] = reads
        return self._functions[key]

    def bindings(self, names: Iterable[str]) -> dict[str, list[venv_scope.Binding]]:
        """venv_scope.bindings of the whole file, for `names` only, each binding's node a stub."""
        wanted = set(names)
        found: dict[str, list[venv_scope.Binding]] = {}
        if not wanted:
            return found
        for index in self._chunks_naming(wanted):
            bound = venv_scope.bindings(self._reparse(self._chunks[index]).body)
            for name in wanted.intersection(bound):
                found.setdefault(name, []).extend(b._replace(node=_positioned(b.node)) for b in bound[name])
        return found


def _positioned(node: ast.AST) -> ast.AST:
    """A shallow copy of `node` without the statements and decorators under it: its type, name
    and position, and the position of its body's first statement (where its body starts), which
    is all a finding needs, without holding its subtree."""
    stub = copy.copy(node)
    for field in ("body", "orelse", "decorator_list", "bases", "keywords"):
        value = getattr(stub, field, None)
        if isinstance(value, list):
            setattr(stub, field, [_positioned(value[0])] if field == "body" and value else [])
    return stub


def _levels(tree: ast.AST) -> Iterator[tuple[int, ast.AST]]:
    """Every node with its depth, in ast.walk's order (breadth first)."""
    level, depth = [tree], 0
    while level:
        for node in level:
            yield depth, node
        level = [child for node in level for child in ast.iter_child_nodes(node)]
        depth += 1


def _string_constant(node: ast.stmt) -> Optional[tuple[str, str]]:
    """(NAME, value) for `NAME = "literal"` or `NAME: str = "literal"`."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target, value = node.target, node.value
    else:
        return None
    if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
        return target.id, value.value
    return None


def _leads_to_venv(qualified: Optional[str]) -> bool:
    """Whether a name bound to `qualified` can start a call of a venv decorator or operator."""
    return qualified is not None and any(
        callee == qualified or callee.startswith(qualified + ".") for callee in _DECORATORS | _OPERATORS
    )


def _callable(call: ast.Call, position: Optional[int]) -> Optional[ast.expr]:
    """The `python_callable=` keyword of a call, else its argument at `position`."""
    for keyword in call.keywords:
        if keyword.arg == "python_callable":
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


_DYNAMIC = ast.Constant(value=None)  # a marker: the argument is behind *args or **kwargs


def _argument(call: ast.Call, *, positional: bool) -> Optional[ast.expr]:
    for keyword in call.keywords:
        if keyword.arg == "venv":
            return keyword.value
    if positional and call.args:
        first = call.args[0]
        return _DYNAMIC if isinstance(first, ast.Starred) else first
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return _DYNAMIC
    return None


def _is_template(value: str) -> bool:
    return "{{" in value or "{%" in value  # the provider looks such a name up when the task runs


def _stored_names(node: ast.AST) -> Iterator[str]:
    """Names this node binds, for telling a constant from a variable."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        yield node.id
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name
    else:  # match-statement captures (Python 3.10+)
        for field in ("name", "rest"):
            value = getattr(node, field, None)
            if isinstance(value, str) and type(node).__name__.startswith("Match"):
                yield value


# ---------------------------------------------------------------------------------------------
# Reading DAG files


@attrs.frozen
class _DagFile:
    path: str  # as shown to the user
    source: Source  # its text as Python reads it (lone CRs shown as line ends), for excerpts
    module: Optional[_Module]  # None when it does not parse
    problem: Optional[Diagnostic] = None  # DAG003 when it does not parse


def _read_dag(path: str) -> _DagFile:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:  # a failed read has no file name of its own
        raise OSError(error.errno, error.strerror, path) from None
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        text, decoded = data.decode(encoding), True
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text, decoded = data.decode("utf-8", "surrogateescape").lstrip("\ufeff"), False
    # Python ends a line at \n, \r\n or a lone \r; Source only at \n. Same length, same offsets.
    source = Source(_LONE_CR.sub("\n", text), path)
    try:
        if decoded:  # one top-level statement at a time
            module = _Module(source.text, statements.chunks(source.text), partial(statements.parse_chunk, source.text))
        else:  # Python's own reading of the bytes says why they are not source
            tree = ast.parse(data, filename=path)
            module = _Module(source.text, [(Chunk(0, len(text), 1), tree)], lambda _chunk: tree)
    except SyntaxError as error:
        return _DagFile(path, source, None, _syntax_error(source, error))
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes; nesting too deep
        return _DagFile(path, source, None, _syntax_error(source, SyntaxError(str(error) or type(error).__name__)))
    return _DagFile(path, source, module)


def _syntax_error(source: Source, error: SyntaxError) -> Diagnostic:
    line = error.lineno or 1
    column = error.offset or 1  # 1-based, in characters (Python 3.10+)
    line = max(1, min(line, len(source.line_starts)))
    column = max(1, min(column, len(source.line_text(line)) + 1))
    offset = source.offset(line, column)
    return Diagnostic.at(
        source,
        Span(offset, offset),
        "DAG003",
        f"cannot read {source.path} as Python: {error.msg or error}",
        f"fix the file so that `python -m py_compile {source.path}` passes "
        f"(pyenvc reads it with Python {sys.version_info[0]}.{sys.version_info[1]})",
    )


def _span(source: Source, node: ast.expr) -> Span:
    """The offsets of an ast node; ast columns count UTF-8 bytes, Source's count characters."""

    def offset(line: int, byte_column: int) -> int:
        text = source.line_text(line).encode("utf-8", "surrogatepass")
        return source.offset(line, len(text[:byte_column].decode("utf-8", "ignore")) + 1)

    start = offset(node.lineno, node.col_offset)
    end_line, end_column = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    end = offset(end_line, end_column) if end_line is not None and end_column is not None else start
    return Span(start, max(start, end))


# ---------------------------------------------------------------------------------------------
# The check


class Report(NamedTuple):
    """What `check` found: the diagnostics, the Source of each file they name, and the one-line
    summary of what was checked (and what was skipped, and why)."""

    diagnostics: list[Diagnostic]
    sources: dict[str, Source]
    summary: str


def check(
    dockerfile_text: str,
    dockerfile_path: str,
    dag_paths: Sequence[str],
    target: Optional[str] = None,
    build_args: Optional[Mapping[str, str]] = None,
    airflow_python: Optional[str] = None,
) -> Report:
    if airflow_python is not None and other_python.VERSION.match(airflow_python) is None:
        raise ValueError(f"airflow_python must be a Python 3 X.Y version such as 3.12, not {airflow_python!r}")
    files = dag_files(dag_paths)
    dockerfile = Source(dockerfile_text, dockerfile_path)
    sources = {dockerfile_path: dockerfile}
    try:
        tree = parse(dockerfile_text)
    except ParseError as error:
        found = [attrs.evolve(d, path=dockerfile_path) for d in error.diagnostics]
        return Report(found, sources, f"{dockerfile_path} does not parse: no DAG file checked")
    all_stages = stages.read(tree, build_args)
    image = _target(all_stages, target, dockerfile_path)
    built_on = {s.index for s in stages.chain(image)} if image is not None else set()
    declared = _declared_venvs(s for s in all_stages if s.index in built_on)
    elsewhere = _declared_venvs(s for s in all_stages if s.index not in built_on)
    names = sorted({d.name for d in declared})
    first_elsewhere: dict[str, _Declared] = {}  # venv name -> its first PYENV in another stage
    for declaration in elsewhere:
        first_elsewhere.setdefault(declaration.name, declaration)
    # pyenvc's output declares venvs with ENV ASTRO_PYENV_<name>= and no PYENV: say so.
    instructions = tree.instructions()
    compiled = not any(isinstance(node, Pyenv) for node in instructions) and any(
        node.command == "env" and any(pair.name.value.startswith("ASTRO_PYENV_") for pair in node.pairs)
        for node in instructions
    )
    versions = {d.name: v for d in declared if (v := _major_minor(d.version)) is not None}

    per_file: dict[str, list[Diagnostic]] = {}
    parsed: list[Source] = []  # for the check against Airflow's Python
    venv_functions: list[syntax_checks.VenvFunction] = []
    used: set[str] = set()
    dynamic: list[str] = []  # "path:line" of each task whose venv name is computed
    uses = 0
    unread = 0  # paths that could not be read (DAG004, DAG005)
    for path in files:
        try:
            dag = path if isinstance(path, Unreadable) else _read_dag(path)
        except OSError as error:  # a file that cannot be opened or read: a finding, not an abort
            dag = read_error(path, error)
        if isinstance(dag, Unreadable):
            sources[dag.path] = dag.source
            per_file.setdefault(dag.path, []).append(dag.finding)
            unread += 1
            continue
        sources[path] = dag.source
        found = per_file.setdefault(path, [])
        if dag.problem is not None:
            found.append(dag.problem)
            continue
        parsed.append(dag.source)
        assert dag.module is not None
        usages = dag.module.usages()
        uses += len(usages)
        found.extend(_outside_reads(dag.source, dag.module, usages))
        for usage in usages:
            span = _span(dag.source, usage.node)
            if usage.name is None:
                dynamic.append(f"{path}:{dag.source.position(span.start).line}")
                continue
            used.add(usage.name)
            if isinstance(usage.function, (ast.FunctionDef, ast.AsyncFunctionDef)) and usage.name in versions:
                venv_functions.append(syntax_checks.VenvFunction(dag.source, usage.function, usage.name, versions[usage.name]))
            if usage.name not in names:
                other = first_elsewhere.get(usage.name)
                if other is not None:
                    assert image is not None
                    found.append(_elsewhere(dag.source, span, usage, other, image, dockerfile))
                else:
                    found.append(_unknown(dag.source, span, usage, names, dockerfile_path, compiled))

    skipped: list[str] = []
    checked: list[str] = []
    version, origin = _airflow_python(airflow_python, image)
    if version is None:
        skipped.append(
            "the syntax check against Airflow's Python (pass --airflow-python X.Y: "
            "the base image's tag has no -pythonX.Y suffix)"
        )
    else:
        found_here, note = syntax_checks.check_airflow(parsed, version, origin)
        skipped.extend([note] if note else [])
        checked.extend([] if note else [f"Python {version} (Airflow's, {origin})"])
        for diagnostic in found_here:
            per_file[diagnostic.path].append(diagnostic)
    found_here, notes, asked = syntax_checks.check_venvs(_unique(venv_functions))
    skipped.extend(notes)
    checked.extend([f"the venvs' {', '.join(asked)}"] if asked else [])
    for diagnostic in found_here:
        per_file[diagnostic.path].append(diagnostic)

    diagnostics: list[Diagnostic] = []
    for found in per_file.values():
        diagnostics.extend(sorted(found, key=lambda d: (d.line, d.column)))
    for venv in declared:
        if venv.name not in used:
            diagnostics.append(_unused(dockerfile, venv, dynamic))
    summary = (
        f"{_plural(len(files) - unread, 'DAG file')}, {_plural(uses, 'venv use')}, {_plural(len(names), 'venv')}"
        + (f" ({unread} path{'s' if unread != 1 else ''} not read)" if unread else "")
        + (f"; syntax checked with {' and '.join(checked)}" if checked else "")
        + "".join(f"; skipped {note}" for note in skipped)
    )
    return Report(diagnostics, sources, summary)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _major_minor(version: str) -> Optional[str]:
    match = re.match(r"(3\.[0-9]{1,2})(?:\.[0-9]+)?\Z", version)  # ASCII digits: `\d` takes any script's
    return match.group(1) if match else None


def _airflow_python(given: Optional[str], image: Optional[Stage]) -> tuple[Optional[str], str]:
    """Airflow's X.Y and where it came from: `--airflow-python`, else the base image's tag."""
    if given is not None:
        return given, "from --airflow-python"
    if image is None:
        return None, ""
    base = stages.chain(image)[-1].resolved
    version = syntax_checks.airflow_python_from_image(base)
    return version, f"from the tag of {base}"


def _unique(functions: list[syntax_checks.VenvFunction]) -> list[syntax_checks.VenvFunction]:
    seen: set[tuple[int, str]] = set()
    kept = []
    for item in functions:
        key = (id(item.function), item.version)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _outside_reads(source: Source, module: _Module, usages: Sequence[_Usage]) -> Iterator[Diagnostic]:
    """DAG006 and DAG007: names a venv function reads that only the DAG file outside it binds."""
    functions = list({id(u.function): u.function for u in usages if u.function is not None}.values())
    if not functions:
        return
    bound = module.bindings(name for function in functions for name in module.reads[id(function)])
    for function in functions:
        assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        inside = ((function.lineno, function.col_offset), (function.end_lineno or 0, function.end_col_offset or 0))
        reads = module.reads[id(function)]
        for name, nodes in reads.items():
            elsewhere = [
                b for b in bound.get(name, ())
                if not inside[0] <= (getattr(b.node, "lineno", 0), getattr(b.node, "col_offset", 0)) <= inside[1]
            ]
            if elsewhere:
                yield _outside(source, function, nodes, elsewhere)


def _outside(
    source: Source, function: Union[ast.FunctionDef, ast.AsyncFunctionDef], nodes: list[ast.Name],
    elsewhere: list[venv_scope.Binding],
) -> Diagnostic:
    name, where = nodes[0].id, f"{function.name}()"
    more = f" ({len(nodes) - 1} more use{'s' if len(nodes) > 2 else ''} below)" if len(nodes) > 1 else ""
    imports = [b for b in elsewhere if b.statement is not None]
    why = f"the venv runs the source of {where} alone, so `{name}` is a NameError when the task runs{more}"
    first = (imports or elsewhere)[0]
    line = getattr(first.node, "lineno", 0)
    if imports:
        hint = f"import it inside the function: add `{first.statement}` to the body of {where}"
        if first.statement and first.statement.startswith("from ."):
            hint = (
                f"import it inside {where} by its absolute name, from a package the venv has: the venv runs "
                f"the function as a script, where `{first.statement}` (a relative import) fails"
            )
        if _before_body(nodes[0], function):
            hint = (
                f"use `{name}` only in the body of {where}, and add `{first.statement}` there: the venv evaluates "
                "the function's default values and its decorators other than the task's too"
            )
        return Diagnostic.at(
            source, _span(source, nodes[0]), "DAG006", f"`{name}` is imported outside {where}, at line {line}: {why}", hint
        )
    return Diagnostic.at(
        source, _span(source, nodes[0]), "DAG007",
        f"`{name}` is defined outside {where}, at line {line}: {why}",
        f"define `{name}` inside {where}, or pass its value to the task as an argument",
    )


def _before_body(node: ast.expr, function: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> bool:
    """Whether `node` is in a default value or decorator of `function`, not in its body."""
    first = function.body[0]
    return (node.lineno, node.col_offset) < (first.lineno, first.col_offset)


def _unknown(
    source: Source, span: Span, usage: _Usage, names: list[str], dockerfile: str, compiled: bool
) -> Diagnostic:
    name = usage.name
    assert name is not None
    via = f" (the value of {usage.via})" if usage.via else ""
    close = [n for n in names if n.lower() == name.lower()] or difflib.get_close_matches(name, names, n=1)
    if compiled:
        fix = (
            f"check against the Dockerfile that has the PYENV lines: {dockerfile} sets ASTRO_PYENV_ "
            "variables but has no PYENV, so it looks like pyenvc's output"
        )
    elif not _VENV_NAME.fullmatch(name):
        fix = "rename it: a venv name has only letters, digits, `_` and `-`"
    elif close:
        fix = f"add `PYENV 3.12 {name}` to {dockerfile}"
    else:
        declares = f"it declares {', '.join(repr(n) for n in names)}" if names else "it declares no venv yet"
        fix = f"add `PYENV 3.12 {name}` to {dockerfile} ({declares})"
    hint = f"write '{close[0]}', which {dockerfile} declares, or {fix}" if close else fix
    return Diagnostic.at(source, span, "DAG001", f"no PYENV in {dockerfile} declares the venv '{name}'{via}", hint)


def _elsewhere(
    source: Source, span: Span, usage: _Usage, other: _Declared, image: Stage, dockerfile: Source
) -> Diagnostic:
    """DAG001 for a venv that a PYENV declares in a stage the image is not built on."""
    via = f" (the value of {usage.via})" if usage.via else ""
    where, target = _stage_name(other.stage, dockerfile), _stage_name(image, dockerfile)
    hint = f"move its PYENV into {target} or a stage it is built FROM"
    if other.stage.name is not None:
        hint += f", or check with `--target {other.stage.name}` if that stage is the image Airflow runs"
    return Diagnostic.at(
        source,
        span,
        "DAG001",
        f"the venv '{other.name}'{via} is declared only in {where} of {dockerfile.path}, "
        f"which the image ({target}) is not built on",
        hint,
    )


def _unused(dockerfile: Source, venv: _Declared, dynamic: list[str]) -> Diagnostic:
    hint = f'remove the PYENV, or run a task in it with `@task.venv("{venv.name}")`'
    if dynamic:
        more = f" and {len(dynamic) - 1} more" if len(dynamic) > 1 else ""
        hint += f"; a task whose venv name is computed ({dynamic[0]}{more}) may use it"
    return Diagnostic.at(
        dockerfile, venv.span, "DAG002", f"no task in the DAG files uses the venv '{venv.name}'", hint
    )


def check_dags(
    dockerfile_text: str,
    dockerfile_path: str,
    dag_paths: Sequence[str],
    *,
    target: Optional[str] = None,
    build_args: Optional[Mapping[str, str]] = None,
    airflow_python: Optional[str] = None,
) -> list[Diagnostic]:
    """Check the DAG files and folders `dag_paths` against the PYENVs of the image that
    `dockerfile_text` builds: its stage `target` (compared lower-cased; default the last stage)
    and the stages that stage is built FROM, resolved with the `build_args` values.

    Returns the findings in each DAG file (DAG001, DAG003, DAG006 to DAG009), DAG004 and DAG005
    errors for the paths that cannot be read (files in the order given, folders walked in sorted
    order; by position within a file), then DAG002 warnings in Dockerfile order;
    or, when the Dockerfile does not parse, only its parse errors. Each Diagnostic's `path` says
    which file it is about (`dockerfile_path` or a DAG file's path). Nothing in the DAG files is
    run. `airflow_python` (X.Y) is Airflow's own Python, for DAG008 (default: the base image
    tag's `-pythonX.Y` suffix; without either that check is skipped). Raises OSError when a named
    path does not exist, UnknownTarget (a ValueError) when `target` names no stage, and
    ValueError when `airflow_python` is not an X.Y version.
    """
    return list(check(dockerfile_text, dockerfile_path, dag_paths, target, build_args, airflow_python).diagnostics)
