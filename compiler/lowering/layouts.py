"""The two layouts, behind one interface: how one PYENV becomes instructions.

In: a stage, a planned venv, what the stage's image is (`Runtime`), and the Python versions the
stage has installed so far. Out: `Lowered`, the instructions that go in place of the PYENV and,
in the stages layout, those of the venv's own stage (placed before the stage's FROM).

- `Inline` builds the venv in the user's stage: the interpreter, the venv, its requirements.
- `Stages` builds it in a stage of its own, FROM the stage's base image, and copies the result
  in: BuildKit builds the venvs in parallel, and a change to one venv rebuilds only that one.
  Where the venv's stage could not reproduce what the user's stage holds before the PYENV
  (a RUN, COPY or ADD before it; no image named), that venv is built inline (PYENV105).
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Protocol

from pyenvc.lowering import generate
from pyenvc.lowering.astro import ROOT, packages_steps
from pyenvc.lowering.options import Options
from pyenvc.lowering.stage import Planned, Runtime, Stage, astro_applies
from pyenvc.syntax.emitter import NewInstruction, Verbatim


class Lowered(NamedTuple):
    in_place: list  # instruction nodes and comment lines for where the PYENV was
    venv_stage: Optional[list] = None  # the lines of the venv's own stage, if it has one


class Layout(Protocol):
    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str]) -> Lowered:
        """`installed`: the X.Y already put in the user's stage (each is copied once a stage)."""


class Inline:
    def __init__(self, options: Options) -> None:
        self.options = options

    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str]) -> Lowered:
        venv = planned.venv
        mm = venv.version.major_minor
        lines: list = [ROOT]
        if mm not in installed:
            installed.add(mm)
            image = venv.image or venv.version.image(runtime.flavour)
            lines += generate.interpreter(mm, image, venv.version.needs_m_symlink)
        lines += generate.venv_dirs(runtime.home, venv.name, runtime.uid, venv.installer)
        lines += generate.venv(venv.name, mm, venv.requirements, runtime.uid, runtime.home, venv.installer,
                               self.options.uv_image)
        return Lowered(lines)


class Stages:
    def __init__(self, options: Options, taken_names: set[str]) -> None:
        self.options = options
        self.inline = Inline(options)
        self.taken = set(taken_names)  # stage names of the user's and generated so far

    @staticmethod
    def splits(stage: Stage, planned: Planned) -> bool:
        """Whether the venv gets a stage of its own (else it is built inline, PYENV105)."""
        return stage.image_word is not None and planned.blocker is None

    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str]) -> Lowered:
        if not self.splits(stage, planned):
            return self.inline.lower(stage, planned, runtime, installed)
        venv = planned.venv
        mm = venv.version.major_minor
        name = self._name(stage, venv.name)
        lines: list = []
        if mm not in installed:
            installed.add(mm)
            lines += [ROOT, *generate.copy_interpreter(mm, name)]
        lines += generate.copy_venv(venv.name, runtime.home, runtime.uid, name)
        lines.append(generate.env_line(venv.name, runtime.home))
        return Lowered(lines, self._venv_stage(stage, planned, runtime, name))

    def _name(self, stage: Stage, venv: str) -> str:
        """A stage name of the venv's own: lower-case (BuildKit's stage names are), unique."""
        base = f"pyenvc-{stage.number}-{venv.lower()}"
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}-{n}"
        self.taken.add(name)
        return name

    def _venv_stage(self, stage: Stage, planned: Planned, runtime: Runtime, name: str) -> list:
        """FROM the stage's base image (flags and image word as written; `-base` under the Astro
        rewrite, with the packages.txt step the stage gets too, which BuildKit then runs once),
        the stage's ARG and ENV before the PYENV declared again, the interpreter and the venv."""
        venv = planned.venv
        word = stage.image_word
        assert word is not None
        astro = astro_applies(stage, self.options)
        suffix = "-base" if astro else ""
        image = Verbatim(word.raw + suffix, word.value + suffix)
        flags = tuple(Verbatim(flag.word.raw, flag.word.value) for flag in stage.from_node.flags)
        mm = venv.version.major_minor
        lines: list = [
            f"# PYENV line {venv.line}: the venv {venv.name}, built in a stage of its own",
            NewInstruction("FROM", flags, (image, "AS", name)),
        ]
        if astro:
            lines += packages_steps(stage, restore=False)
        # BuildKit's logical line of each, as one line: continuations joined, which it reads the same
        lines += [carried.logical.strip() for carried in planned.carried]
        lines.append(ROOT)
        source = venv.image or venv.version.image(runtime.flavour)
        lines += generate.interpreter(mm, source, venv.version.needs_m_symlink)
        lines += generate.venv_dirs(runtime.home, venv.name, runtime.uid, venv.installer)
        lines += generate.venv(venv.name, mm, venv.requirements, runtime.uid, runtime.home, venv.installer,
                               self.options.uv_image, env=False)
        return lines
