"""What a venv task's function reads that the venv will not have.

In: the `def` of a function that runs in a venv (`@task.venv`, `task.venv(...)(fn)`,
`VenvOperator(python_callable=fn)`), as an `ast` node. Out (`outside_names`): every name it reads
that is bound neither inside it nor in the script the venv runs, in source order.

The provider sends the function's source, never the function: Airflow's script
(python_virtualenv_script.jinja2, the same in Airflow 2.10, 2.11 and 3.x) is
`from __future__ import annotations`, a few imports of its own, the function's source alone
(dedented, its task decorators removed: provider/source.py), then the call. So the venv has:

- what the function binds itself: parameters, assignments, loop, `with` and `except` targets,
  imports, nested defs and classes, match captures, walrus targets, names declared `global` and
  assigned in it;
- its own name (the `def` is a statement of the script), the builtins and module dunders;
- what every Airflow version's script binds at its top level: `sys`, `arg_dict`,
  `virtualenv_string_args` (documented, for `string_args`) and `annotations` (the future import).
  `os` and the serializer's module are imported only by some versions or serializers: not counted.

It does not have the DAG file's imports, functions, classes and variables, nor the locals of a
function the venv function is nested in (`@dag def etl(): ... @task.venv ...`): the nested
function's source is sent alone. Annotations are never evaluated (the script's future import),
so they are not read; decorators other than the task's and default values are evaluated at the
script's top level, so they are.

Scoping is Python's: a class body's names are not seen by the functions and comprehensions inside
it; a comprehension's targets are its own, its first iterable is evaluated outside it; a walrus in
a comprehension binds in the enclosing function; `global` sends a name to the script's top level,
`nonlocal` to an enclosing function. `bindings` says where the rest of the DAG file binds a name,
so that a finding can say what to import or define inside the function.
"""

from __future__ import annotations

import ast
import builtins
from typing import Iterable, Iterator, NamedTuple, Optional, Union

__all__ = ["Binding", "bindings", "import_text", "is_task_decorator", "outside_names", "TASK_DECORATORS"]

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]

# The decorators the provider removes from the source it sends, by their last name
# (provider/source.py asks `is_task_decorator`, so the DAG check reads what the venv gets).
TASK_DECORATORS = frozenset({"venv", "venv_task", "setup", "teardown", "skip_if", "run_if"})
# What Airflow's script binds at its top level in every version, whatever the serializer.
SCRIPT_NAMES = frozenset({"annotations", "sys", "arg_dict", "virtualenv_string_args"})
_BUILTINS = frozenset(dir(builtins))

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class _Scope:
    """One scope's bindings: `kind` is module (the venv's script), function, lambda, class or
    comprehension."""

    __slots__ = ("kind", "parent", "bound", "globals", "nonlocals")

    def __init__(self, kind: str, parent: Optional["_Scope"]) -> None:
        self.kind = kind
        self.parent = parent
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()

    def bind(self, name: str) -> None:
        if name in self.globals:
            self.script().bound.add(name)  # `global x; x = 1`: x is the script's from then on
        else:
            self.bound.add(name)

    def script(self) -> "_Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def binder(self) -> "_Scope":
        """Where a walrus binds: the nearest scope that is not a comprehension."""
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope


def _last_name(node: ast.expr) -> Optional[str]:
    """`t.venv("x")` -> `venv`; `setup` -> `setup`; anything else -> None."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def is_task_decorator(decorator: ast.expr) -> bool:
    """A decorator the provider removes from a venv function's source (by its last name,
    whatever it is reached through: `@t.venv(...)`, `@airflow.sdk.task.run_if(...)`, `@setup`)."""
    return _last_name(decorator) in TASK_DECORATORS


class _Reads:
    """Walks a function as the venv's script runs it, scope by scope, keeping every read."""

    def __init__(self) -> None:
        self.reads: list[tuple[ast.Name, _Scope]] = []

    def function(self, node: Function, scope: _Scope, *, sent: bool = False) -> None:
        """A def in `scope`; `sent`: it is the venv function itself, whose task decorators the
        provider removes."""
        for decorator in node.decorator_list:
            if not (sent and is_task_decorator(decorator)):
                self.visit(decorator, scope)
        self._defaults(node.args, scope)
        scope.bind(node.name)
        inner = _Scope("function", scope)
        self._parameters(node.args, inner)
        for name in _type_params(node):
            inner.bind(name)
        for statement in node.body:
            self.visit(statement, inner)

    def _defaults(self, args: ast.arguments, scope: _Scope) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default, scope)

    @staticmethod
    def _parameters(args: ast.arguments, scope: _Scope) -> None:
        every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for arg in every:
            if arg is not None:
                scope.bind(arg.arg)

    def visit(self, node: ast.AST, scope: _Scope) -> None:  # noqa: C901 - one case per construct
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node, scope)
        elif isinstance(node, ast.Lambda):
            self._defaults(node.args, scope)
            inner = _Scope("lambda", scope)
            self._parameters(node.args, inner)
            self.visit(node.body, inner)
        elif isinstance(node, ast.ClassDef):
            for child in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
                self.visit(child, scope)
            scope.bind(node.name)
            inner = _Scope("class", scope)
            for name in _type_params(node):
                inner.bind(name)
            for statement in node.body:
                self.visit(statement, inner)
        elif isinstance(node, _COMPREHENSIONS):
            self._comprehension(node, scope)
        elif isinstance(node, ast.NamedExpr):
            self.visit(node.value, scope)
            scope.binder().bind(node.target.id)  # type: ignore[union-attr]
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.reads.append((node, scope))
            else:
                scope.bind(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    scope.bind(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Global):
            scope.globals.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            scope.nonlocals.update(node.names)
        elif isinstance(node, ast.AnnAssign):  # the annotation is never evaluated
            self.visit(node.target, scope)
            if node.value is not None:
                self.visit(node.value, scope)
        else:
            if isinstance(node, ast.ExceptHandler) and node.name:
                scope.bind(node.name)
            for field in ("name", "rest"):  # match captures: MatchAs, MatchStar, MatchMapping
                value = getattr(node, field, None)
                if isinstance(value, str) and type(node).__name__.startswith("Match"):
                    scope.bind(value)
            for child in ast.iter_child_nodes(node):
                self.visit(child, scope)

    def _comprehension(self, node: ast.expr, scope: _Scope) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self.visit(generators[0].iter, scope)  # evaluated where the comprehension is
        inner = _Scope("comprehension", scope)
        for number, generator in enumerate(generators):
            self.visit(generator.target, inner)
            if number:
                self.visit(generator.iter, inner)
            for condition in generator.ifs:
                self.visit(condition, inner)
        if isinstance(node, ast.DictComp):
            self.visit(node.key, inner)
            self.visit(node.value, inner)
        else:
            self.visit(node.elt, inner)  # type: ignore[attr-defined]


def _type_params(node: ast.AST) -> Iterator[str]:
    for param in getattr(node, "type_params", ()):  # Python 3.12's `def f[T]()`
        yield param.name


def _resolves(name: str, scope: _Scope) -> bool:
    """Whether the venv's script has `name` where `scope` reads it."""
    current: Optional[_Scope] = scope
    while current is not None:
        if name in current.globals:
            return name in scope.script().bound
        # A class body's names are seen by the body itself, not by what is nested in it.
        if current is scope or current.kind != "class":
            if name in current.bound or name in current.nonlocals:
                return True
        current = current.parent
    return False


def outside_names(function: Function) -> list[ast.Name]:
    """The reads in `function` (its body, defaults and non-task decorators) of names that the
    venv's script does not bind, builtins and dunders excepted; in source order, every read."""
    script = _Scope("module", None)
    script.bound.update(SCRIPT_NAMES)
    walker = _Reads()
    walker.function(function, script, sent=True)
    found = [
        node
        for node, scope in walker.reads
        if not (node.id in _BUILTINS or (node.id.startswith("__") and node.id.endswith("__")))
        and not _resolves(node.id, scope)
    ]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return found


class Binding(NamedTuple):
    """Where the DAG file binds a name."""

    node: ast.AST  # the statement or expression that binds it (an Import for imports)
    statement: Optional[str]  # for an import, the statement that binds just this name


def import_text(node: Union[ast.Import, ast.ImportFrom], alias: ast.alias) -> str:
    """The import statement that binds what `alias` binds: `import pandas as pd`."""
    name = f"{alias.name} as {alias.asname}" if alias.asname else alias.name
    if isinstance(node, ast.Import):
        return f"import {name}"
    return f"from {'.' * (node.level or 0)}{node.module or ''} import {name}"


def bindings(statements: Iterable[ast.stmt]) -> dict[str, list[Binding]]:
    """Every name the statements bind anywhere (any scope), with where: imports, defs, classes,
    assignment, loop and `with` targets, parameters. Callers filter by position."""
    found: dict[str, list[Binding]] = {}

    def add(name: str, node: ast.AST, statement: Optional[str] = None) -> None:
        found.setdefault(name, []).append(Binding(node, statement))

    for top in statements:
        for node in ast.walk(top):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        add(alias.asname or alias.name.split(".")[0], node, import_text(node, alias))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                add(node.name, node)
            elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                add(node.id, node)
            elif isinstance(node, ast.arg):
                add(node.arg, node)
    return found
