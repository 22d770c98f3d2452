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

from pyenvc.lowering import generate
from pyenvc.lowering import pythons
from pyenvc.lowering import images as runtime
from pyenvc.lowering import stagerefs
from pyenvc.lowering.context import path_problem
from pyenvc.lowering.options import INSTALLERS, Options
from pyenvc.diagnostics import Diagnostic, has_errors
from pyenvc.syntax.source import Source
from pyenvc.syntax.tree import Directive, Dockerfile, Generated, Instruction, Pyenv, Span

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
_WORD = re.compile(r"[^ \t\r\n\v\f]+")
# `# syntax=` values that name the old PYENV frontend (`quay.io/astronomer/airflow-extensions:v1`;
# its own tests used `astronomer/astro-runtime`).
_OLD_FRONTEND = re.compile(r"(?:^|/)(?:airflow-extensions|astro-runtime)(?:[:@].*)?\Z")


@attrs.frozen
class _Word:
    text: str
    start: int  # offsets into the instruction's logical line
    end: int


def _words(logical: str) -> list[_Word]:
    return [_Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(logical)]


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
    image_word: Optional[_Word]
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

    def _span(self, node: Instruction, word: Optional[_Word]) -> Span:
        if word is None:  # the end of the logical line
            end = len(node.logical.rstrip())
            offset = node.source_offset(max(end - 1, 0)) + (1 if end else 0)
            return Span(offset, offset)
        start = node.source_offset(word.start)
        end = node.source_offset(word.end - 1) + 1
        return Span(start, max(start, end))

    def report(
        self,
        node: Instruction,
        word: Optional[_Word],
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
            elif command == "from":
                self._from(index, node)
            elif command == "arg" and not self.stages:
                self._meta_arg(node)
            elif command == "user" and self.stages:
                words = _words(node.logical)
                if len(words) > 1:  # a bare USER is BuildKit's error to report, at build time
                    self.stages[-1].user = node.logical[words[1].start :].strip()
            elif command == "onbuild":
                words = _words(node.logical)
                if len(words) > 1 and words[1].text.upper() == "PYENV":
                    self.report(
                        node,
                        words[1],
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
        if before:
            stagerefs.renumber(body, len(self.stages), self._inserted)
        nodes = []
        for index, node in enumerate(body):
            nodes += before.get(index, [])
            nodes.append(node)
        directives = tuple(d for d in self.tree.directives if not _is_old_frontend(d))
        self.diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
        return attrs.evolve(self.tree, directives=directives, body=tuple(nodes)), self.diagnostics

    def _meta_arg(self, node: Instruction) -> None:
        from pyenvc.docker.buildkit import parse_words

        words = _words(node.logical)
        if len(words) < 2:
            return
        rest = node.logical[words[1].start :]
        try:
            items = parse_words(rest, self.tree.escape)
        except Exception:  # BuildKit's later stages would reject it; resolution just stops
            return
        for item in items:
            name, eq, default = item.partition("=")
            if name in self.options.build_args:
                self.meta_args[name] = self.options.build_args[name]
            elif eq:
                try:
                    self.meta_args[name] = runtime.expand(default, self.meta_args, self.tree.escape)
                except runtime.Unresolved:
                    self.meta_args[name] = None
            else:
                self.meta_args.setdefault(name, None)

    def _from(self, index: int, node: Instruction) -> None:
        words = _words(node.logical)[1:]
        while words and words[0].text.startswith("--"):
            words.pop(0)
        image_word = words[0] if words else None
        name = None
        if len(words) >= 3 and words[1].text.lower() == "as":
            name = words[2].text.lower()
        base = runtime.classify(None)
        parent = None
        from_variable = False
        if image_word is not None:
            # a variable in the last path element: the tag (and so the flavour) may come from it
            from_variable = "$" in image_word.text.rsplit("/", 1)[-1]
            try:
                value: Optional[str] = runtime.expand(image_word.text, self.meta_args, self.tree.escape)
            except runtime.Unresolved:
                value = None
            if value is not None:
                parent = next((s for s in reversed(self.stages) if s.name == value.lower()), None)
                if parent is not None:
                    base = parent.base
                else:
                    base = runtime.classify(runtime.parse_image(value), self.options.runtime_images)
        self.stages.append(_Stage(len(self.stages), index, node, name, base, image_word, from_variable, parent))

    # -- one PYENV -----------------------------------------------------------------------------

    def _pyenv(self, index: int, node: Instruction) -> None:
        words = _words(node.logical)
        keyword = words[0]
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
        args = words[1:]
        ok = True
        if node.heredocs or any(re.match(r"\d*<<", w.text) for w in args):
            word = next((w for w in args if re.match(r"\d*<<", w.text)), keyword)
            self.report(
                node,
                word,
                "PYENV004",
                "PYENV does not take a heredoc",
                "write the requirements in a file and name it: `PYENV 3.11 name requirements.txt`",
            )
            return
        flags: dict[str, tuple[str, _Word]] = {}
        positional: list[_Word] = []
        for word in args:
            if "$" in word.text:
                self.report(
                    node,
                    word,
                    "PYENV005",
                    f"variables are not expanded in PYENV: '{word.text}'",
                    "write the value itself; PYENV words are used as written",
                )
                ok = False
                continue
            if word.text.startswith("--"):
                if positional:
                    self.report(
                        node,
                        word,
                        "PYENV009",
                        f"flag '{word.text}' comes after the arguments",
                        "put flags right after PYENV, before the Python version",
                    )
                    ok = False
                    continue
                ok = self._flag(node, word, flags) and ok
                continue
            if not positional and word.text.startswith("["):
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
                f"PYENV takes at most 3 arguments, found {len(positional)}: unexpected '{positional[3].text}'",
                "write one PYENV per venv: `PYENV <python-version> <venv-name> [<requirements-file>]`",
            )
            return
        version_word, name_word = positional[0], positional[1]
        requirements_word = positional[2] if len(positional) > 2 else None
        version = pythons.parse_version(version_word.text)
        if version == "python2":
            self.report(
                node,
                version_word,
                "PYENV011",
                f"Python 2 has no venv module: '{version_word.text}'",
                "use a Python 3 version such as 3.12",
            )
            ok = False
        elif isinstance(version, str):
            self.report(
                node,
                version_word,
                "PYENV010",
                f"invalid Python version '{version_word.text}', expected 3.Y or 3.Y.Z",
                "write a version such as 3.12 or 3.12.4",
            )
            ok = False
        if not _VENV_NAME.match(name_word.text):
            self.report(
                node,
                name_word,
                "PYENV013",
                f"invalid venv name '{name_word.text}', expected letters, digits, '_' and '-'",
                "rename the venv, e.g. `" + (re.sub(r"[^A-Za-z0-9_-]+", "_", name_word.text) or "venv") + "`",
            )
            ok = False
        elif name_word.text in stage.names:
            self.report(
                node,
                name_word,
                "PYENV014",
                f"venv '{name_word.text}' is already defined in this stage on line {stage.names[name_word.text]}",
                "give each venv in a stage its own name",
            )
            ok = False
        else:
            stage.names[name_word.text] = line
        requirements = None
        if requirements_word is not None:
            requirements = requirements_word.text
            ok = self._check_requirements(node, requirements_word) and ok
        installer = flags.get("installer", (self.options.installer, None))[0]
        if not ok or not isinstance(version, pythons.PythonVersion):
            return
        image = flags["python-image"][0] if "python-image" in flags else None
        spec = _Spec(
            index, line, version, name_word.text, requirements, image, installer, stage.blocker, tuple(stage.carried)
        )
        stage.pyenvs.append((spec, stage.user_in_effect(), node, version_word))

    def _flag(self, node: Instruction, word: _Word, flags: dict) -> bool:
        name, eq, value = word.text[2:].partition("=")
        if name not in ("installer", "python-image"):
            self.report(
                node,
                word,
                "PYENV008",
                f"unknown flag '--{name}'" if name else f"malformed flag '{word.text}'",
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

    def _check_requirements(self, node: Instruction, word: _Word) -> bool:
        problem = path_problem(word.text)
        hint = "give a path relative to the build context, as COPY takes it"
        if problem is not None:
            code, detail = problem
            if code == "PYENV017":
                hint = "rename the file so its path has no glob characters, white space or quotes"
            self.report(node, word, code, f"requirements path '{word.text}' {detail}", hint)
            return False
        context = self.options.context
        if context is not None:
            why = context.missing(word.text)
            if why is not None:
                self.report(
                    node,
                    word,
                    "PYENV018",
                    f"requirements file '{word.text}' is not in the build context: {why}",
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
            shown = word.text if word is not None else ""
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
                f"the interpreter flavour {base.flavour} was chosen from the compile-time value of '{word.text if word else ''}'",
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
        keyword = _words(node.logical)[0]
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
        words = _words(node.logical)
        image = node.logical[words[1].start : word.end] + ("-base" if astro else "")
        uid, home = self._uid(stage), self._home(stage)
        mm = spec.version.major_minor
        lines = [
            f"# PYENV line {spec.line}: the venv {spec.name}, built in a stage of its own",
            f"FROM {image} AS {name}",
        ]
        if astro:
            lines += ["USER root", *generate.astro_packages(runtime.ASTRO_PROJECT_DIR), f"USER {stage.base.user}"]
        lines += [_one_line(carried) for carried in spec.carried]
        lines.append("USER root")
        source = spec.image or spec.version.image(self._flavour(stage))
        lines += generate.interpreter(mm, source, spec.version.needs_m_symlink)
        lines += generate.venv_dirs(home, spec.name, uid, spec.installer)
        lines += generate.venv(
            spec.name, mm, spec.requirements, uid, home, spec.installer, self.options.uv_image, env=False
        )
        return lines

    def _lower_stage(self, stage: _Stage, body: list, before: dict) -> None:
        flavour = self._flavour(stage)
        uid, home = self._uid(stage), self._home(stage)
        astro = self._astro(stage)
        last = stage.pyenvs[-1][0].node_index
        copied: set[str] = set()
        venv_stages: list[str] = []
        for spec, user, node, _word in stage.pyenvs:
            restore = user if user is not None else self._default_user(stage)
            mm = spec.version.major_minor
            lines = [f"# PYENV line {spec.line}"]
            if self._staged(stage, spec):
                name = self._stage_name(stage, spec.name)
                venv_stages += self._venv_stage(stage, spec, name, astro)
                if mm not in copied:
                    copied.add(mm)
                    lines += ["USER root", *generate.copy_interpreter(mm, name)]
                lines += generate.copy_venv(spec.name, home, uid, name)
                lines.append(generate.env_line(spec.name, home))
            else:
                lines.append("USER root")
                if mm not in copied:
                    copied.add(mm)
                    image = spec.image or spec.version.image(flavour)
                    lines += generate.interpreter(mm, image, spec.version.needs_m_symlink)
                lines += generate.venv_dirs(home, spec.name, uid, spec.installer)
                lines += generate.venv(
                    spec.name, mm, spec.requirements, uid, home, spec.installer, self.options.uv_image
                )
            if astro and spec.node_index == last:
                lines += [
                    "# Astro Runtime: requirements.txt and the project, as the ONBUILD triggers would",
                    "USER root",
                ]
                lines += generate.astro_project(runtime.ASTRO_PROJECT_DIR)
            lines.append(f"USER {restore}")
            body[spec.node_index] = Generated(_join(lines, node.text, self.source.text))
        node = stage.from_node
        if venv_stages:
            # before the stage's FROM line (and its astro rewrite); always ends with a line ending
            eol = _eol(node.text, self.source.text)
            before.setdefault(stage.from_index, []).append(Generated(eol.join(venv_stages) + eol))
            self._inserted[stage.number] = sum(1 for spec, *_ in stage.pyenvs if self._staged(stage, spec))
        if astro:
            word = stage.image_word
            assert word is not None
            at = node.source_offset(word.end - 1) + 1 - node.start
            text = node.text[:at] + "-base" + node.text[at:]
            lines = [
                "# Astro Runtime: packages.txt, as the ONBUILD triggers would",
                "USER root",
                *generate.astro_packages(runtime.ASTRO_PROJECT_DIR),
                f"USER {stage.base.user}",
            ]
            eol = _eol(node.text, self.source.text)
            if text.endswith("\n"):
                text += _join(lines, node.text, self.source.text)
            else:
                text += eol + eol.join(lines)
            body[stage.from_index] = Generated(text)


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
