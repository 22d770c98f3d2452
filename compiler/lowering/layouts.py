"""The two layouts, behind one interface: how one PYENV becomes instructions.

In: a stage, a planned venv, what the stage's image is (`Runtime`), and the Python versions the
stage has installed so far. Out: `Lowered`, the instructions that go in place of the PYENV and,
in the stages layout, those of the venv's own stage (placed before the stage's FROM).

- `Inline` builds the venv in the user's stage: the interpreter, the venv, its requirements.
- `Stages` builds it in a stage of its own, FROM the stage's base image, and copies the result
  in: BuildKit builds the venvs in parallel, and a change to one venv rebuilds only that one.
  The stage's ARG and ENV before a PYENV reach its venv stage through a chain of env stages:
  each holds only the ARG and ENV lines since the previous one and is built FROM it (a stage
  built FROM a stage starts with its variables, ARGs included), and each venv stage is built
  FROM the env stage of its PYENV. Every carried line is written once, so the output grows
  linearly with the PYENVs, and no venv stage is built on another's files.
  Where the venv's stage could not reproduce what the user's stage holds before the PYENV
  (a RUN, COPY or ADD before it; no image named), that venv is built inline (PYENV105).
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Protocol, Sequence

from pyenvc.lowering import generate
from pyenvc.lowering.astro import ROOT, packages_steps
from pyenvc.lowering.options import Options
from pyenvc.lowering.stage import Planned, Runtime, Stage, astro_applies
from pyenvc.syntax.emitter import NewInstruction, Verbatim


class Lowered(NamedTuple):
    in_place: list  # instruction nodes and comment lines for where the PYENV was
    venv_stage: Optional[list] = None  # the lines of the venv's own stage (and any env stage before it)
    new_stages: int = 0  # how many FROM lines venv_stage holds


class Layout(Protocol):
    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str],
              group: Sequence[Planned]) -> Lowered:
        """`installed`: the X.Y already put in the user's stage (each is copied once a stage).
        `group`: the run of PYENVs `planned` is in, with no other instruction between them."""


class Inline:
    def __init__(self, options: Options) -> None:
        self.options = options

    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str],
              group: Sequence[Planned] = ()) -> Lowered:
        # Each venv's interpreter just before it, never grouped: here a group's one ldconfig
        # would put every venv of the group after every interpreter, so changing the last
        # PYENV's Python would rebuild the venvs before it.
        venv = planned.venv
        mm = venv.version.major_minor
        lines: list = [ROOT]
        if mm not in installed:
            installed.add(mm)
            image = venv.image or venv.version.image(runtime.flavour)
            dirs = generate.venv_dirs_script(runtime.home, venv.name, runtime.uid, venv.installer)
            lines += generate.interpreter(mm, image, venv.version.needs_m_symlink, then=[dirs])
        else:
            lines += generate.venv_dirs(runtime.home, venv.name, runtime.uid, venv.installer)
        lines += generate.venv(venv.name, mm, venv.requirements, runtime.uid, runtime.home, venv.installer,
                               self.options.uv_image)
        return Lowered(lines)


class Stages:
    def __init__(self, options: Options, taken_names: set[str]) -> None:
        self.options = options
        self.inline = Inline(options)
        self.taken = set(taken_names)  # stage names of the user's and generated so far
        # per user stage: the last env stage's name and how many carried lines it holds
        self.env_stages: dict[int, tuple[str, int]] = {}

    @staticmethod
    def splits(stage: Stage, planned: Planned) -> bool:
        """Whether the venv gets a stage of its own (else it is built inline, PYENV105)."""
        return stage.image_word is not None and planned.blocker is None

    def lower(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str],
              group: Sequence[Planned] = ()) -> Lowered:
        if not self.splits(stage, planned):
            return self.inline.lower(stage, planned, runtime, installed)
        venv = planned.venv
        name = self._name(stage, venv.name)
        lines: list = self._interpreters(stage, planned, runtime, installed, group)
        lines += generate.copy_venv(venv.name, runtime.home, runtime.uid, name)
        lines.append(generate.env_line(venv.name, runtime.home))
        env_lines, parent = self._env_stage(stage, planned)
        venv_lines = self._venv_stage(stage, planned, runtime, name, parent)
        return Lowered(lines, env_lines + venv_lines, 1 + (1 if env_lines else 0))

    def _interpreters(self, stage: Stage, planned: Planned, runtime: Runtime, installed: set[str],
                      group: Sequence[Planned]) -> list:
        """The interpreters the user's stage still needs for this PYENV and the split ones after
        it in its group, each straight from its python image, and one ldconfig for all. From the
        image, not the venv stage: the final stage then need not wait for any venv stage to
        start, and nothing after it re-runs when a venv changes. Empty when all are there."""
        following = list(group[group.index(planned):]) if planned in group else [planned]
        wanted: dict[str, generate.Interpreter] = {}
        for other in following:
            version = other.venv.version
            mm = version.major_minor
            if self.splits(stage, other) and mm not in installed and mm not in wanted:
                image = other.venv.image or version.image(runtime.flavour)
                wanted[mm] = generate.Interpreter(mm, image, version.needs_m_symlink)
        if not wanted:
            return []
        installed.update(wanted)
        lines: list = [ROOT]
        if len(following) > 1 and len(wanted) > 1:
            lines.append(f"# the interpreters of PYENV lines {_numbers([p.venv.line for p in following])}, with one ldconfig")
        return lines + generate.interpreters(list(wanted.values()))

    def _name(self, stage: Stage, venv: str) -> str:
        """A stage name of the venv's own: lower-case (BuildKit's stage names are), unique."""
        base = f"pyenvc-{stage.number}-{venv.lower()}"
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}-{n}"
        self.taken.add(name)
        return name

    def _base(self, stage: Stage, name: str) -> list:
        """A generated stage's start FROM the user's stage's base image: flags and image word as
        written; `-base` under the Astro rewrite, with the packages.txt step the stage gets too
        (BuildKit runs it once for all the stages that start with it)."""
        word = stage.image_word
        assert word is not None
        astro = astro_applies(stage, self.options)
        suffix = "-base" if astro else ""
        image = Verbatim(word.raw + suffix, word.value + suffix)
        flags = tuple(Verbatim(flag.word.raw, flag.word.value) for flag in stage.from_node.flags)
        lines: list = [NewInstruction("FROM", flags, (image, "AS", name))]
        if astro:
            lines += packages_steps(stage, restore=False)
        return lines

    def _env_stage(self, stage: Stage, planned: Planned) -> tuple[list, Optional[str]]:
        """The env stage the venv stage starts FROM, and its lines when it is new: the stage's ARG
        and ENV before the PYENV that the previous env stage does not hold yet. None: no ARG or ENV
        came before, the venv stage starts FROM the base image."""
        carried = planned.carried
        previous = self.env_stages.get(stage.number)
        held = previous[1] if previous is not None else 0
        if len(carried) == held:
            return [], previous[0] if previous is not None else None
        name = self._name(stage, "env")
        lines: list = [f"# the ARG and ENV before PYENV line {planned.venv.line}, for the venv stages after them"]
        if previous is None:
            lines += self._base(stage, name)
        else:
            lines.append(NewInstruction("FROM", (), (previous[0], "AS", name)))
        # BuildKit's logical line of each, as one line: continuations joined, which it reads the same
        lines += [node.logical.strip() for node in carried[held:]]
        self.env_stages[stage.number] = (name, len(carried))
        return lines, name

    def _venv_stage(self, stage: Stage, planned: Planned, runtime: Runtime, name: str, parent: Optional[str]) -> list:
        """FROM the env stage of the PYENV (else the stage's base image), the interpreter and the venv."""
        venv = planned.venv
        mm = venv.version.major_minor
        lines: list = [f"# PYENV line {venv.line}: the venv {venv.name}, built in a stage of its own"]
        if parent is None:
            lines += self._base(stage, name)
        else:
            lines.append(NewInstruction("FROM", (), (parent, "AS", name)))
        lines.append(ROOT)
        source = venv.image or venv.version.image(runtime.flavour)
        dirs = generate.venv_dirs_script(runtime.home, venv.name, runtime.uid, venv.installer)
        lines += generate.interpreter(mm, source, venv.version.needs_m_symlink, then=[dirs])
        lines += generate.venv(venv.name, mm, venv.requirements, runtime.uid, runtime.home, venv.installer,
                               self.options.uv_image, env=False)
        return lines


def _numbers(numbers: Sequence[int]) -> str:
    """`4, 5 and 6`."""
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]
