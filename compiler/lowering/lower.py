"""The PYENV pass: validate every PYENV, collect diagnostics, and replace each PYENV node with
the generated instructions; plus the two other rewrites the spec allows (the old frontend's
`# syntax=` directive dropped, and the Astro Runtime `-base` rewrite).

In: a parsed `Dockerfile` tree, its `Source`, and `Options`. Out: the lowered tree and the
diagnostics. Every node that is not rewritten stays the same object, so untouched bytes print
unchanged by construction. `pyenvc.pipeline.compile()` wraps parse + lower + emit.
"""

from __future__ import annotations

import os
import re
from typing import Optional, Sequence

import attrs

from pyenvc.docker import shell
from pyenvc.lowering import generate
from pyenvc.lowering import pythons
from pyenvc.lowering import images as runtime
from pyenvc.lowering import stagerefs
from pyenvc.lowering.context import path_problem
from pyenvc.lowering.options import INSTALLERS, Options
from pyenvc.diagnostics import Diagnostic, has_errors
from pyenvc.syntax.source import Source
from pyenvc.syntax.emitter import NewInstruction, Unrepresentable, Verbatim, check_word, render
from pyenvc.syntax.tree import Arg, Directive, Dockerfile, From, Generated, Instruction, Onbuild, Pyenv, Span, User, Word

# What an instruction before a PYENV means for building its venv in a stage of its own, which
# starts FROM the stage's base image, not from the stage as it stands at the PYENV:
# - nothing (metadata the generated steps do not read: they set USER, use absolute paths and
#   the exec form, and an ONBUILD trigger fires only in images built FROM this stage);
_INERT = frozenset(
    {"label", "expose", "cmd", "entrypoint", "healthcheck", "stopsignal", "maintainer", "volume",
     "workdir", "shell", "user", "onbuild"}
)
# - the environment the venv's steps run in: declared again, as one line each, in the venv stage;
_CARRIED = frozenset({"arg", "env"})
# - anything else (RUN, COPY, ADD, an unknown instruction) may change the files the venv is built
#   on: that PYENV and the later ones in its stage are lowered inline (warning PYENV105).

_VENV_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")
_HEREDOC = re.compile(r"\d*<<")
_ROOT = generate.user("root")
# `# syntax=` values that name the old PYENV frontend (`quay.io/astronomer/airflow-extensions:v1`;
# its own tests used `astronomer/astro-runtime`).
_OLD_FRONTEND = re.compile(r"(?:^|/)(?:airflow-extensions|astro-runtime)(?:[:@].*)?\Z")


@attrs.frozen
class _Spec:
    """A valid PYENV."""

    node_index: int
    line: int
    version: pythons.PythonVersion
    name: str
    requirements: Optional[str]
    image: Optional[str]  # --python-image, else None
    installer: str
    # stages layout: the first instruction before the PYENV in its stage that the venv's stage
    # cannot reproduce (None: there is none), and the ARG/ENV instructions it declares again
    blocker: Optional[Instruction] = None
    carried: tuple = ()


@attrs.define
class _Stage:
    number: int  # the stage's index in the input, as `--from=N` counts
    from_index: int
    from_node: Instruction
    name: Optional[str]
    base: runtime.BaseImage
    image_word: Optional[Word]
    from_variable: bool  # the image word used a variable
    parent: Optional["_Stage"]  # the earlier stage this one is built FROM, if any
    user: Optional[str] = None  # the text of the stage's last USER so far
    pyenvs: list = attrs.Factory(list)  # (spec, USER text in effect before it or None)
    names: dict = attrs.Factory(dict)  # venv name -> line
    blocker: Optional[Instruction] = None  # the first instruction a venv stage cannot reproduce
    carried: list = attrs.Factory(list)  # the ARG and ENV instructions so far

    def note(self, node: Instruction) -> None:
        """Record a non-PYENV instruction of this stage (after its FROM)."""
        command = node.command
        if command in _CARRIED:
            self.carried.append(node)
        elif command not in _INERT and self.blocker is None:
            self.blocker = node

    def user_in_effect(self) -> Optional[str]:
        """The text of the USER in effect: this stage's last, else the parent stage's."""
        if self.user is not None:
            return self.user
        return self.parent.user_in_effect() if self.parent is not None else None


class _Lowering:
    def __init__(self, tree: Dockerfile, source: Source, options: Options) -> None:
        self.tree = tree
        self.source = source
        self.options = options
        self.diagnostics: list[Diagnostic] = []
        self.stages: list[_Stage] = []
        self.meta_args: dict[str, Optional[str]] = {}
        self._names: set[str] = set()  # generated stage names
        self._inserted: dict[int, int] = {}  # stage number -> venv stages inserted before it

    # -- diagnostics ---------------------------------------------------------------------------

    def _span(self, node: Instruction, word: Optional[Word]) -> Span:
        if word is None:  # the end of the logical line
            end = len(node.logical.rstrip())
            offset = node.source_offset(max(end - 1, 0)) + (1 if end else 0)
            return Span(offset, offset)
        return word.span

    def report(
        self,
        node: Instruction,
        word: Optional[Word],
        code: str,
        message: str,
        hint: Optional[str],
    ) -> None:
        self.diagnostics.append(
            Diagnostic.at(self.source, self._span(node, word), code, message, hint)
        )

    # -- the walk ------------------------------------------------------------------------------

    def run(self) -> tuple[Dockerfile, list[Diagnostic]]:
        for index, node in enumerate(self.tree.body):
            if not isinstance(node, Instruction):
                continue
            command = node.command
            if self.stages and command not in ("from", "pyenv") and not isinstance(node, Pyenv):
                self.stages[-1].note(node)
            if isinstance(node, Pyenv) or command == "pyenv":
                self._pyenv(index, node)
            elif isinstance(node, From):
                self._from(index, node)
            elif isinstance(node, Arg) and not self.stages:
                self._meta_arg(node)
            elif isinstance(node, User) and self.stages:
                if node.user is not None:  # a bare USER is BuildKit's error to report, at build time
                    self.stages[-1].user = node.user.value
            elif isinstance(node, Onbuild):
                trigger = node.trigger_keyword  # after any ONBUILD flags, as BuildKit reads it
                if trigger is not None and trigger.value.upper() == "PYENV":
                    self.report(
                        node,
                        trigger,
                        "PYENV002",
                        "PYENV cannot be an ONBUILD trigger",
                        "move the PYENV into the Dockerfile of the image that uses it",
                    )
        stages = [stage for stage in self.stages if stage.pyenvs]
        for stage in stages:
            self._check_stage(stage)
        self.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
        if has_errors(self.diagnostics):
            return self.tree, self.diagnostics
        body = list(self.tree.body)
        before: dict[int, list] = {}  # body index -> Generated nodes that go before it
        for stage in stages:
            self._lower_stage(stage, body, before)
        if has_errors(self.diagnostics):  # a value no generated line can carry
            self.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
            return self.tree, self.diagnostics
        if before:
            stagerefs.renumber(body, len(self.stages), self._inserted)
        nodes = []
        for index, node in enumerate(body):
            nodes += before.get(index, [])
            nodes.append(node)
        directives = tuple(d for d in self.tree.directives if not _is_old_frontend(d))
        self.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
        return attrs.evolve(self.tree, directives=directives, body=tuple(nodes)), self.diagnostics

    def _meta_arg(self, node: Arg) -> None:
        for pair in node.pairs:
            name = pair.name.value
            eq, default = pair.value is not None, pair.value.value if pair.value is not None else ""
            if name in self.options.build_args:
                self.meta_args[name] = self.options.build_args[name]
            elif eq:
                try:
                    self.meta_args[name] = shell.expand(default, self.meta_args, self.tree.escape)
                except shell.Unresolved:
                    self.meta_args[name] = None
            else:
                self.meta_args.setdefault(name, None)

    def _from(self, index: int, node: From) -> None:
        image_word = node.image
        name = node.stage_name.value.lower() if node.stage_name is not None else None
        base = runtime.classify(None)
        parent = None
        from_variable = False
        if image_word is not None:
            # a variable in the last path element: the tag (and so the flavour) may come from it
            from_variable = "$" in image_word.value.rsplit("/", 1)[-1]
            try:
                value: Optional[str] = shell.expand(image_word.value, self.meta_args, self.tree.escape)
            except shell.Unresolved:
                value = None
            if value is not None:
                parent = next((s for s in reversed(self.stages) if s.name == value.lower()), None)
                if parent is not None:
                    base = parent.base
                else:
                    base = runtime.classify(runtime.parse_image(value), self.options.runtime_images)
        self.stages.append(_Stage(len(self.stages), index, node, name, base, image_word, from_variable, parent))

    # -- one PYENV -----------------------------------------------------------------------------

    def _pyenv(self, index: int, node: Pyenv) -> None:
        keyword = _keyword(node)
        line = self.source.position(node.start).line
        if not self.stages:
            self.report(
                node,
                keyword,
                "PYENV001",
                "PYENV comes before the first FROM",
                "move the PYENV after the FROM of the stage that needs the venv",
            )
            return
        stage = self.stages[-1]
        args = [flag.word for flag in node.flags] + list(node.words)
        ok = True
        if node.heredocs or any(_HEREDOC.match(w.value) for w in args):
            word = next((w for w in args if _HEREDOC.match(w.value)), keyword)
            self.report(
                node,
                word,
                "PYENV004",
                "PYENV does not take a heredoc",
                "write the requirements in a file and name it: `PYENV 3.11 name requirements.txt`",
            )
            return
        flags: dict[str, tuple[str, Word]] = {}
        positional: list[Word] = []
        for word in args:
            if "$" in word.value:
                self.report(
                    node,
                    word,
                    "PYENV005",
                    f"variables are not expanded in PYENV: '{word.value}'",
                    "write the value itself; PYENV words are used as written",
                )
                ok = False
                continue
            if word.value.startswith("--"):
                if positional:
                    self.report(
                        node,
                        word,
                        "PYENV009",
                        f"flag '{word.value}' comes after the arguments",
                        "put flags right after PYENV, before the Python version",
                    )
                    ok = False
                    continue
                ok = self._flag(node, word, flags) and ok
                continue
            if not positional and word.value.startswith("["):
                self.report(
                    node,
                    word,
                    "PYENV003",
                    "PYENV does not take the JSON form",
                    "write the words plainly: `PYENV 3.11 name requirements.txt`",
                )
                return
            positional.append(word)
        if not ok:
            return
        if len(positional) < 2:
            what = "a Python version and a venv name" if not positional else "a venv name"
            self.report(
                node,
                None,
                "PYENV006",
                f"PYENV needs {what}",
                "write `PYENV <python-version> <venv-name> [<requirements-file>]`",
            )
            return
        if len(positional) > 3:
            self.report(
                node,
                positional[3],
                "PYENV007",
                f"PYENV takes at most 3 arguments, found {len(positional)}: unexpected '{positional[3].value}'",
                "write one PYENV per venv: `PYENV <python-version> <venv-name> [<requirements-file>]`",
            )
            return
        version_word, name_word = positional[0], positional[1]
        requirements_word = positional[2] if len(positional) > 2 else None
        version = pythons.parse_version(version_word.value)
        if version == "python2":
            self.report(
                node,
                version_word,
                "PYENV011",
                f"Python 2 has no venv module: '{version_word.value}'",
                "use a Python 3 version such as 3.12",
            )
            ok = False
        elif isinstance(version, str):
            self.report(
                node,
                version_word,
                "PYENV010",
                f"invalid Python version '{version_word.value}', expected 3.Y or 3.Y.Z",
                "write a version such as 3.12 or 3.12.4",
            )
            ok = False
        if not _VENV_NAME.match(name_word.value):
            self.report(
                node,
                name_word,
                "PYENV013",
                f"invalid venv name '{name_word.value}', expected letters, digits, '_' and '-'",
                "rename the venv, e.g. `" + (re.sub(r"[^A-Za-z0-9_-]+", "_", name_word.value) or "venv") + "`",
            )
            ok = False
        elif name_word.value in stage.names:
            self.report(
                node,
                name_word,
                "PYENV014",
                f"venv '{name_word.value}' is already defined in this stage on line {stage.names[name_word.value]}",
                "give each venv in a stage its own name",
            )
            ok = False
        else:
            stage.names[name_word.value] = line
        requirements = None
        if requirements_word is not None:
            requirements = requirements_word.value
            ok = self._check_requirements(node, requirements_word) and ok
        installer = flags.get("installer", (self.options.installer, None))[0]
        if not ok or not isinstance(version, pythons.PythonVersion):
            return
        image = flags["python-image"][0] if "python-image" in flags else None
        spec = _Spec(
            index, line, version, name_word.value, requirements, image, installer, stage.blocker, tuple(stage.carried)
        )
        stage.pyenvs.append((spec, stage.user_in_effect(), node, version_word))

    def _flag(self, node: Instruction, word: Word, flags: dict) -> bool:
        name, eq, value = word.value[2:].partition("=")
        if name not in ("installer", "python-image"):
            self.report(
                node,
                word,
                "PYENV008",
                f"unknown flag '--{name}'" if name else f"malformed flag '{word.value}'",
                "use only `--installer=pip|uv` and `--python-image=IMAGE`: PYENV takes no other flag",
            )
            return False
        if name in flags:
            self.report(
                node, word, "PYENV009", f"flag '--{name}' is given twice", "keep one of them"
            )
            return False
        if not eq or not value:
            example = "pip" if name == "installer" else "python:3.12-slim-bookworm"
            self.report(
                node,
                word,
                "PYENV009",
                f"flag '--{name}' needs a value",
                f"write it as `--{name}={example}`",
            )
            return False
        if name == "installer" and value not in INSTALLERS:
            self.report(
                node,
                word,
                "PYENV009",
                f"unknown installer '{value}', expected 'pip' or 'uv'",
                "write `--installer=pip` or `--installer=uv`",
            )
            return False
        if name == "python-image" and runtime.parse_image(value) is None:
            self.report(
                node,
                word,
                "PYENV009",
                f"invalid image reference '{value}'",
                "name an image with CPython under /usr/local, e.g. `--python-image=python:3.12-slim-bookworm`",
            )
            return False
        flags[name] = (value, word)
        return True

    def _check_requirements(self, node: Instruction, word: Word) -> bool:
        problem = path_problem(word.value)
        hint = "give a path relative to the build context, as COPY takes it"
        if problem is not None:
            code, detail = problem
            if code == "PYENV017":
                hint = "rename the file so its path has no glob characters, white space or quotes"
            self.report(node, word, code, f"requirements path '{word.value}' {detail}", hint)
            return False
        try:
            check_word(word.value, "the requirements path", self.tree.escape)
        except Unrepresentable as problem:
            self._unrepresentable(node, word, problem)
            return False
        context = self.options.context
        if context is not None:
            why = context.missing(word.value)
            if why is not None:
                self.report(
                    node,
                    word,
                    "PYENV018",
                    f"requirements file '{word.value}' is not in the build context: {why}",
                    f"create it in the build context ({context.root}), fix the path, or change .dockerignore",
                )
                return False
        return True

    # -- stage-level checks ----------------------------------------------------------------------

    def _check_stage(self, stage: _Stage) -> None:
        base = stage.base
        node, word = stage.from_node, stage.image_word
        options = self.options
        if base.kind in ("unknown", "scratch") and options.user is None and options.uid is None and options.home is None:
            shown = word.value if word is not None else ""
            why = " (its value is not known at compile time)" if "$" in shown else ""
            self.report(
                node,
                word,
                "PYENV102",
                f"base image '{shown}' is not one pyenvc knows{why}: assuming uid {runtime.DEFAULT_UID},"
                f" home {runtime.DEFAULT_HOME} and flavour {self._flavour(stage)}",
                "pass --user, --uid, --home and --python-flavour for this image (or --build-arg for its"
                " variables), and write `USER ...` before the PYENV to restore a user by name",
            )
        if base.kind == "runtime" and base.flavour is None and options.python_flavour is None:
            self.report(
                node,
                word,
                "PYENV102",
                f"Astro Runtime tag '{base.image.tag if base.image else ''}' is not one the flavour table knows: "
                f"using {runtime.DEFAULT_FLAVOUR} and leaving FROM alone",
                "use a versioned tag such as 12.1.0, or pass --python-flavour",
            )
        if stage.from_variable and base.flavour is not None and options.python_flavour is None:
            self.report(
                node,
                word,
                "PYENV103",
                f"the interpreter flavour {base.flavour} was chosen from the compile-time value of '{word.value if word else ''}'",
                "build with the same --build-arg values you compile with, or pass --python-flavour",
            )
        flavour = self._flavour(stage)
        versions: dict[str, tuple[str, int]] = {}
        for spec, _user, pnode, vword in stage.pyenvs:
            if self.options.layout == "stages":
                self._check_split(stage, spec, pnode)
            image = spec.image or spec.version.image(flavour)
            if spec.image is None and not pythons.image_exists(spec.version, flavour):
                self.report(
                    pnode,
                    vword,
                    "PYENV012",
                    f"there is no official image {image} for Python {spec.version.text}",
                    "name an image with that CPython under /usr/local: `PYENV --python-image=IMAGE ...`,"
                    " or pick another --python-flavour",
                )
                continue
            eol = pythons.end_of_life(spec.version)
            if eol is not None:
                self.report(
                    pnode,
                    vword,
                    "PYENV101",
                    f"Python {spec.version.major_minor} reached its end of life on {eol.isoformat()}",
                    "move the venv to a supported Python version",
                )
            mm = spec.version.major_minor
            if mm in versions and versions[mm][0] != image:
                self.report(
                    pnode,
                    vword,
                    "PYENV020",
                    f"Python {mm} is already taken from {versions[mm][0]} in this stage (line {versions[mm][1]}), not {image}",
                    f"use the same version and image for every Python {mm} venv in a stage",
                )
            versions.setdefault(mm, (image, spec.line))
        if self._astro(stage) and options.context is not None:
            self._check_astro_files(stage)

    def _check_astro_files(self, stage: _Stage) -> None:
        context = self.options.context
        assert context is not None
        for name in ("packages.txt", "requirements.txt"):
            why = context.missing(name)
            if why is not None:
                self.report(
                    stage.from_node,
                    stage.image_word,
                    "PYENV104",
                    f"Astro Runtime project file '{name}' is not in the build context: {why}",
                    f"create an empty {name} in {context.root}, or pass --no-astro",
                )
        path = os.path.join(context.root, "requirements.txt")
        if context.missing("requirements.txt") is None:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    lines = f.read().splitlines()
            except OSError:
                return
            for number, text in enumerate(lines, 1):
                if re.fullmatch(r"apache-airflow\s*[=~>]{1,2}.*", text.rstrip("\r")):
                    self.report(
                        stage.from_node,
                        stage.image_word,
                        "PYENV019",
                        f"requirements.txt line {number} pins apache-airflow: '{text.strip()}'",
                        "remove that line and change the Astro Runtime version in FROM instead",
                    )

    # -- generation ----------------------------------------------------------------------------

    def _flavour(self, stage: _Stage) -> str:
        return self.options.python_flavour or stage.base.flavour or runtime.DEFAULT_FLAVOUR

    def _astro(self, stage: _Stage) -> bool:
        base = stage.base
        return (
            self.options.astro
            and stage.base.kind == "runtime"
            and not base.is_base_tag
            and base.image is not None
            and base.image.tag is not None
            and base.image.digest is None
            and base.flavour is not None
            and stage.parent is None  # FROM <image> directly, not FROM <stage>
        )

    def _default_user(self, stage: _Stage) -> str:
        if stage.base.user is not None:
            return stage.base.user
        if self.options.user is not None:
            return self.options.user
        return f"{self._uid(stage)}:0"

    def _uid(self, stage: _Stage) -> int:
        return self.options.uid if self.options.uid is not None else stage.base.uid

    def _home(self, stage: _Stage) -> str:
        return self.options.home if self.options.home is not None else stage.base.home

    def _check_split(self, stage: _Stage, spec: _Spec, node: Instruction) -> None:
        """Stages layout: warn where a venv is built inline instead (PYENV105)."""
        keyword = _keyword(node)
        if stage.image_word is None:
            why = "its stage's FROM names no image"
        elif spec.blocker is not None:
            blocker = spec.blocker
            line = self.source.position(blocker.start).line
            why = f"line {line} ({blocker.keyword.upper()}) before it in its stage may change the files it would be built on"
        else:
            return
        self.report(
            node,
            keyword,
            "PYENV105",
            f"venv '{spec.name}' is built inline, not in a stage of its own: {why}",
            "move the PYENV above that line to build the venv in a stage of its own (and in parallel),"
            " or pass --layout inline",
        )

    def _staged(self, stage: _Stage, spec: _Spec) -> bool:
        return self.options.layout == "stages" and stage.image_word is not None and spec.blocker is None

    def _stage_name(self, stage: _Stage, venv: str) -> str:
        """A stage name of the venv's own: lower-case (BuildKit's stage names are), unique."""
        taken = {s.name for s in self.stages if s.name} | self._names
        base = f"pyenvc-{stage.number}-{venv.lower()}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        self._names.add(name)
        return name

    def _venv_stage(self, stage: _Stage, spec: _Spec, name: str, astro: bool) -> list[str]:
        """The lines of a venv's own stage: FROM the stage's base image (flags and image word as
        written; `-base` under the Astro rewrite, with the packages.txt step the stage gets too,
        which BuildKit then runs once), the stage's ARG and ENV before the PYENV declared again,
        the interpreter and the venv."""
        node, word = stage.from_node, stage.image_word
        assert word is not None
        suffix = "-base" if astro else ""
        image = Verbatim(word.raw + suffix, word.value + suffix)
        flags = tuple(Verbatim(flag.word.raw, flag.word.value) for flag in node.flags)
        uid, home = self._uid(stage), self._home(stage)
        mm = spec.version.major_minor
        lines: list = [
            f"# PYENV line {spec.line}: the venv {spec.name}, built in a stage of its own",
            NewInstruction("FROM", flags, (image, "AS", name)),
        ]
        if astro:
            lines += [_ROOT, *generate.astro_packages(runtime.ASTRO_PROJECT_DIR), generate.user(stage.base.user)]
        lines += [_one_line(carried) for carried in spec.carried]
        lines.append(_ROOT)
        source = spec.image or spec.version.image(self._flavour(stage))
        lines += generate.interpreter(mm, source, spec.version.needs_m_symlink)
        lines += generate.venv_dirs(home, spec.name, uid, spec.installer)
        lines += generate.venv(
            spec.name, mm, spec.requirements, uid, home, spec.installer, self.options.uv_image, env=False
        )
        return lines

    def _lower_stage(self, stage: _Stage, body: list, before: dict) -> None:
        astro = self._astro(stage)
        last = stage.pyenvs[-1][0].node_index
        copied: set[str] = set()
        venv_stages: list[tuple[list[str], Instruction]] = []  # each venv stage's lines, its PYENV
        for spec, user, node, _word in stage.pyenvs:
            try:
                self._lower_pyenv(stage, spec, user, node, body, venv_stages, copied, astro and spec.node_index == last)
            except Unrepresentable as problem:
                self._unrepresentable(node, _keyword(node), problem)
        node = stage.from_node
        if venv_stages:
            # before the stage's FROM line (and its astro rewrite); each ends with a line ending
            # and comes from its own PYENV
            eol = _eol(node.text, self.source.text)
            before.setdefault(stage.from_index, []).extend(
                Generated(eol.join(lines) + eol, Span(pyenv.start, pyenv.end)) for lines, pyenv in venv_stages
            )
            self._inserted[stage.number] = sum(1 for spec, *_ in stage.pyenvs if self._staged(stage, spec))
        if astro:
            try:
                body[stage.from_index] = Generated(self._astro_from(stage), Span(node.start, node.end))
            except Unrepresentable as problem:
                self._unrepresentable(node, stage.image_word, problem)

    def _unrepresentable(self, node: Instruction, word: Optional[Word], problem: Unrepresentable) -> None:
        self.report(
            node,
            word,
            "PYENV022",
            f"a generated instruction cannot carry this value as written: {problem}",
            "use plain values: paths and names without white space, quotes, '$', commas or the escape character",
        )

    def _render(self, lines: Sequence) -> list[str]:
        """Comment lines as they are; instruction nodes through the one emitter."""
        escape = self.tree.escape
        return [line if isinstance(line, str) else render(line, escape) for line in lines]

    def _lower_pyenv(
        self,
        stage: _Stage,
        spec: _Spec,
        user: Optional[str],
        node: Instruction,
        body: list,
        venv_stages: list,
        copied: set,
        astro_last: bool,
    ) -> None:
        """The lines that replace one PYENV (and, in the stages layout, its venv's stage)."""
        flavour = self._flavour(stage)
        uid, home = self._uid(stage), self._home(stage)
        restore = user if user is not None else self._default_user(stage)
        mm = spec.version.major_minor
        lines = [f"# PYENV line {spec.line}"]
        if self._staged(stage, spec):
            name = self._stage_name(stage, spec.name)
            venv_stages.append((self._render(self._venv_stage(stage, spec, name, self._astro(stage))), node))
            if mm not in copied:
                copied.add(mm)
                lines += [_ROOT, *generate.copy_interpreter(mm, name)]
            lines += generate.copy_venv(spec.name, home, uid, name)
            lines.append(generate.env_line(spec.name, home))
        else:
            lines.append(_ROOT)
            if mm not in copied:
                copied.add(mm)
                image = spec.image or spec.version.image(flavour)
                lines += generate.interpreter(mm, image, spec.version.needs_m_symlink)
            lines += generate.venv_dirs(home, spec.name, uid, spec.installer)
            lines += generate.venv(
                spec.name, mm, spec.requirements, uid, home, spec.installer, self.options.uv_image
            )
        if astro_last:
            lines += [
                "# Astro Runtime: requirements.txt and the project, as the ONBUILD triggers would",
                _ROOT,
            ]
            lines += generate.astro_project(runtime.ASTRO_PROJECT_DIR)
        lines.append(generate.user(restore))
        body[spec.node_index] = Generated(_join(self._render(lines), node.text, self.source.text), Span(node.start, node.end))

    def _astro_from(self, stage: _Stage) -> str:
        """The stage's FROM with the `-base` tag, then the packages.txt step."""
        node = stage.from_node
        word = stage.image_word
        assert word is not None
        at = word.span.end - node.start
        text = node.text[:at] + "-base" + node.text[at:]
        lines = [
            "# Astro Runtime: packages.txt, as the ONBUILD triggers would",
            _ROOT,
            *generate.astro_packages(runtime.ASTRO_PROJECT_DIR),
            generate.user(stage.base.user),
        ]
        eol = _eol(node.text, self.source.text)
        if text.endswith("\n"):
            text += _join(self._render(lines), node.text, self.source.text)
        else:
            text += eol + eol.join(self._render(lines))
        return text


def _keyword(node: Instruction) -> Word:
    """The instruction's keyword as a word (the logical line starts with it)."""
    return Word(node.keyword, node.keyword, node.span_of(0, len(node.keyword)))


def _one_line(node: Instruction) -> str:
    """An ARG or ENV instruction again, as one line: BuildKit's logical line (continuations joined,
    comment lines inside dropped), which it reads the same."""
    return node.logical.strip()


def _is_old_frontend(directive: Directive) -> bool:
    return directive.name == "syntax" and bool(_OLD_FRONTEND.search(directive.value.strip()))


def _eol(node_text: str, file_text: str) -> str:
    if node_text.endswith("\r\n"):
        return "\r\n"
    if node_text.endswith("\n"):
        return "\n"
    first = file_text.find("\n")
    if first > 0 and file_text[first - 1] == "\r":
        return "\r\n"
    return "\n"


def _join(lines: Sequence[str], node_text: str, file_text: str) -> str:
    """The lines with the file's own line ending; a final one only where the node had one."""
    eol = _eol(node_text, file_text)
    text = eol.join(lines)
    if node_text.endswith("\n"):
        text += eol
    return text


def lower(tree: Dockerfile, source: Source, options: Options) -> tuple[Dockerfile, list[Diagnostic]]:
    """The lowered tree and the diagnostics; the tree is unchanged when there are errors."""
    return _Lowering(tree, source, options).run()
