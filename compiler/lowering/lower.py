"""The PYENV pass: read every PYENV, check it, and replace it with the instructions that build
its venv; plus the two other rewrites the spec allows (the old frontend's `# syntax=` directive
dropped, and the Astro Runtime `-base` rewrite).

In: a parsed `Dockerfile` tree, its `Source`, and `Options`. Out: the lowered tree and the
diagnostics; the tree unchanged when there are errors. Every node that is not rewritten stays
the same object, so untouched bytes print unchanged by construction. Each generated node
carries the span it came from (the PYENV, or the FROM it rewrites), for the printer's line map.

The flow: instructions.py reports keywords BuildKit does not know (DF012, DF101);
syntax/stages.py says where the stages are; pyenv.py reads each PYENV; stage.py
keeps what comes before it; checks.py checks each stage; a layout (layouts.py) turns each venv
into instruction nodes, which syntax/emitter.py renders; astro.py rewrites runtime stages;
stagerefs.py keeps numeric `--from=N` pointing at the stage it named; lengths.py refuses a
generated line longer than BuildKit reads, at the user's word that made it long.
"""

from __future__ import annotations

from typing import Optional, Sequence

import attrs

from pyenvc.diagnostics import Diagnostic
from pyenvc.lowering import astro, banner, frontends, generate, instructions, lengths, pyenv, stagerefs
from pyenvc.lowering.checks import check_stage
from pyenvc.lowering.layouts import Inline, Layout, Stages
from pyenvc.lowering.options import Options
from pyenvc.lowering.report import Reporter, keyword_of
from pyenvc.lowering.stage import Stage, Runtime, astro_applies, classify
from pyenvc.syntax import stages
from pyenvc.syntax.emitter import NewInstruction, TooLong, Unrepresentable, render
from pyenvc.source import Source, Span
from pyenvc.syntax.tree import Directive, Dockerfile, From, Generated, Instruction, Onbuild, Pyenv, User, Word



def lower(tree: Dockerfile, source: Source, options: Options) -> tuple[Dockerfile, list[Diagnostic]]:
    """The lowered tree and the diagnostics; the tree is unchanged when there are errors."""
    return _Pass(tree, source, options).run()


class _Pass:
    def __init__(self, tree: Dockerfile, source: Source, options: Options) -> None:
        self.tree = tree
        self.source = source
        self.options = options
        self.reporter = Reporter(source)
        self.stages = _stages(tree, options)

    def run(self) -> tuple[Dockerfile, list[Diagnostic]]:
        instructions.check_known(self.tree, self.reporter)
        self._read()
        with_venvs = [stage for stage in self.stages if stage.planned]
        for stage in with_venvs:
            check_stage(stage, Runtime.of(stage, self.options), self.options, self.reporter)
        if self.reporter.has_errors:
            return self.tree, self.reporter.diagnostics()
        body = list(self.tree.body)
        before: dict[int, list] = {}  # body index -> the venv stages that go before it
        inserted: dict[int, int] = {}  # stage number -> how many venv stages go before it
        layout = self._layout()
        for stage in with_venvs:
            self._lower_stage(stage, layout, body, before, inserted)
        if self.reporter.has_errors:  # a value no generated line can carry
            return self.tree, self.reporter.diagnostics()
        if inserted:
            stagerefs.renumber(body, len(self.stages), inserted)
            self._check_renumbered(body)
            if self.reporter.has_errors:
                return self.tree, self.reporter.diagnostics()
        nodes: list = [self._banner(with_venvs[0])] if with_venvs else []
        for index, node in enumerate(body):
            nodes += before.get(index, [])
            nodes.append(node)
        directives = tuple(d for d in self.tree.directives if not _is_old_frontend(d))
        return attrs.evolve(self.tree, directives=directives, body=tuple(nodes)), self.reporter.diagnostics()

    def _banner(self, first: Stage) -> Generated:
        """The generated-file comment, first in the body (right after the directives), with the
        line ending of the first PYENV; its lines map to that PYENV's line."""
        node = first.planned[0].venv.node
        text = banner.comment(self.source.path) + _eol(node.text, self.source.text)
        return Generated(text, Span(node.start, node.end))

    # -- reading --------------------------------------------------------------------------------

    def _read(self) -> None:
        """Walk the body: each PYENV read into its stage's plan, every other instruction noted."""
        remaining = iter(self.stages)
        stage: Optional[Stage] = None
        for index, node in enumerate(self.tree.body):
            if not isinstance(node, Instruction):
                continue
            if isinstance(node, From):
                stage = next(remaining)
            elif isinstance(node, Pyenv):
                self._pyenv(stage, index, node)
            elif stage is not None:
                stage.note(node)
                if isinstance(node, User) and node.user is not None:  # a bare USER is BuildKit's to report
                    stage.user = node.user.value
            if isinstance(node, Onbuild):
                # after any ONBUILD flags, as BuildKit reads it; in `ONBUILD ONBUILD PYENV` too
                trigger = next((k for k in node.trigger_keywords if k.value.upper() == "PYENV"), None)
                if trigger is not None:
                    self.reporter.report(node, trigger, "PYENV002", "PYENV cannot be an ONBUILD trigger",
                                         "move the PYENV into the Dockerfile of the image that uses it")

    def _pyenv(self, stage: Optional[Stage], index: int, node: Pyenv) -> None:
        if stage is None:
            self.reporter.report(node, keyword_of(node), "PYENV001", "PYENV comes before the first FROM",
                                 "move the PYENV after the FROM of the stage that needs the venv")
            return
        line = self.source.position(node.start).line
        venv = pyenv.read(node, line, stage.names, self.options, self.tree.escape, self.reporter)
        if venv is not None:
            stage.plan(venv, index)

    # -- writing --------------------------------------------------------------------------------

    def _layout(self) -> Layout:
        if self.options.layout == "stages":
            taken = {stage.model.name for stage in self.stages if stage.model.name}
            return Stages(self.options, taken)
        return Inline(self.options)

    def _lower_stage(self, stage: Stage, layout: Layout, body: list, before: dict, inserted: dict) -> None:
        runtime = Runtime.of(stage, self.options)
        rewrite = astro_applies(stage, self.options)
        last = stage.planned[-1].body_index
        installed: set[str] = set()
        venv_stages: list[Generated] = []
        new_stages = 0
        # the user in effect where a PYENV's lines start, when known: right after the rewritten
        # FROM (which then leaves root in effect), or right after the previous PYENV's lines
        current = "root" if rewrite and self._adjacent(stage.from_index, stage.planned[0].body_index) else None
        groups = self._groups(stage.planned)
        for k, planned in enumerate(stage.planned):
            node = planned.venv.node
            previous = self._previous_user(planned.body_index)
            if previous is not None:
                current = previous
            try:
                lowered = layout.lower(stage, planned, runtime, installed, groups[k])
                lines = [f"# PYENV line {planned.venv.line}", *lowered.in_place]
                if rewrite and planned.body_index == last:
                    lines += astro.project_steps(self.options.layout)
                following = stage.planned[k + 1] if k + 1 < len(stage.planned) else None
                if self._next_is_user(planned.body_index):  # the user's own USER replaces the restore
                    lines, current = _fold_users(lines, current), None
                elif following is None or not self._adjacent(planned.body_index, following.body_index):
                    # else the next PYENV's lines come right after these: the user is restored there
                    lines.append(generate.user(planned.user if planned.user is not None else runtime.default_user))
                    lines, current = _fold_users(lines, current), None
                else:
                    lines = _fold_users(lines, current)
                    current = _user_at_end(lines, current)
                body[planned.body_index] = Generated(self._join(lines, node), Span(node.start, node.end))
                if lowered.venv_stage is not None:
                    # before the stage's FROM line (and its rewrite); ends with a line ending
                    eol = _eol(stage.from_node.text, self.source.text)
                    text = eol.join(self._render(_fold_users(lowered.venv_stage), eol)) + eol
                    venv_stages.append(Generated(text, Span(node.start, node.end)))
                    new_stages += lowered.new_stages
            except Unrepresentable as problem:
                self._unrepresentable(node, keyword_of(node), problem)
        if venv_stages:
            before.setdefault(stage.from_index, []).extend(venv_stages)
            inserted[stage.number] = new_stages
        if rewrite:
            node = stage.from_node
            try:
                text = astro.base_tag(stage)
                steps = astro.from_steps(stage, self.options.layout)
                if self._adjacent(stage.from_index, stage.planned[0].body_index):
                    steps = steps[:-1]  # the image's user, which the PYENV's first line replaces
                if text.endswith("\n"):
                    text += self._join(steps, node)
                else:
                    eol = _eol(node.text, self.source.text)
                    text += eol + eol.join(self._render(steps, eol))
                lengths.check_lines(text)  # the user's FROM line, given `-base`
                body[stage.from_index] = Generated(text, Span(node.start, node.end))
            except Unrepresentable as problem:
                self._unrepresentable(node, stage.image_word, problem)

    def _groups(self, planned: Sequence) -> list[list]:
        """For each planned venv, the run of PYENVs it is in: those with no instruction between."""
        runs: list[list] = []
        for k, one in enumerate(planned):
            if k and self._adjacent(planned[k - 1].body_index, one.body_index):
                runs[-1].append(one)
            else:
                runs.append([one])
        return [run for run in runs for _ in run]

    def _adjacent(self, first: int, second: int) -> bool:
        """Whether only comments and blank lines stand between body nodes `first` and `second`."""
        return not any(isinstance(node, Instruction) for node in self.tree.body[first + 1 : second])

    def _previous_user(self, index: int) -> Optional[str]:
        """The user the instruction right before body node `index` sets, if it is a USER."""
        node = next((n for n in reversed(self.tree.body[:index]) if isinstance(n, Instruction)), None)
        return node.user.value if isinstance(node, User) and node.user is not None else None

    def _next_is_user(self, index: int) -> bool:
        """Whether the next instruction after body node `index` is a USER (with a user)."""
        node = next((n for n in self.tree.body[index + 1 :] if isinstance(n, Instruction)), None)
        return isinstance(node, User) and node.user is not None

    def _render(self, lines: Sequence, eol: str) -> list[str]:
        """Comment lines and lines carried from the user's as they are (if BuildKit can read
        them: lengths.py); instruction nodes through the one emitter."""
        escape = self.tree.escape
        rendered = [line if isinstance(line, str) else render(line, escape, eol) for line in lines]
        for line in lines:
            if isinstance(line, str):
                lengths.check_lines(line)
        return rendered

    def _unrepresentable(self, node: Instruction, word: Optional[Word], problem: Unrepresentable) -> None:
        """PYENV022 at `word` of `node`; a line too long at the user's word that made it so."""
        if isinstance(problem, TooLong):
            node, word = lengths.culprit(problem.line, self.tree.instructions()) or (node, word)
        self.reporter.unrepresentable(node, word, problem)

    def _check_renumbered(self, body: list) -> None:
        """A user's line whose `--from=N` got another digit may pass BuildKit's limit."""
        for index, node in enumerate(body):
            if node is not self.tree.body[index] and isinstance(node, Instruction):
                try:
                    lengths.check_lines(node.text)
                except TooLong as problem:
                    original = self.tree.body[index]
                    self._unrepresentable(original, keyword_of(original), problem)

    def _join(self, lines: Sequence, node: Instruction) -> str:
        """The lines with the file's own line ending; a final one only where the node had one."""
        eol = _eol(node.text, self.source.text)
        text = eol.join(self._render(lines, eol))
        if node.text.endswith("\n"):
            text += eol
        return text


def _fold_users(lines: list, current: Optional[str] = None) -> list:
    """The lines without a generated USER that changes nothing: one naming the user already in
    effect (`current` where they start, None when not known), or one that another USER replaces
    before any instruction runs. (Lines given as text are comments and the user's ARG and ENV,
    which run nothing.)"""
    folded: list = []
    for index, line in enumerate(lines):
        if _is_user(line):
            name = line.words[0]
            later = next((other for other in lines[index + 1 :] if not isinstance(other, str)), None)
            if name == current or _is_user(later):
                continue
            current = name
        folded.append(line)
    return folded


def _user_at_end(lines: list, current: Optional[str]) -> Optional[str]:
    users = [line.words[0] for line in lines if _is_user(line)]
    return users[-1] if users else current


def _is_user(line: object) -> bool:
    return isinstance(line, NewInstruction) and line.keyword == "USER"


def _stages(tree: Dockerfile, options: Options) -> list[Stage]:
    """The lowering's stages over BuildKit's (syntax/stages.py), each knowing its base image."""
    index_of = {id(node): index for index, node in enumerate(tree.body)}
    found: list[Stage] = []
    for model in stages.read(tree, options.build_args):
        parent = found[model.parent.index] if model.parent is not None else None
        found.append(Stage(model, index_of[id(model.node)], classify(model, parent, options), parent))
    return found


def _is_old_frontend(directive: Directive) -> bool:
    return directive.name == "syntax" and frontends.is_old_frontend(directive.value)


def _eol(node_text: str, file_text: str) -> str:
    """The node's own line ending; else (the last line, without one) the file's first one."""
    if node_text.endswith("\r\n"):
        return "\r\n"
    if node_text.endswith("\n"):
        return "\n"
    first = file_text.find("\n")
    if first > 0 and file_text[first - 1] == "\r":
        return "\r\n"
    return "\n"
