"""A build stage as the lowering sees it: what its base image is, which user is in effect, and
what comes before each PYENV in it.

In: the stages BuildKit reads (syntax/stages.py), the options, and the stage's instructions as
the pass walks them. Out: a `Stage` per FROM, with its planned venvs, and `Runtime`, what the
generated steps need to know of the stage's image (user, uid, home, interpreter flavour).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import attrs

from pyenvc.lowering import images
from pyenvc.lowering.options import Options
from pyenvc.lowering.pyenv import Venv
from pyenvc.syntax import stages
from pyenvc.syntax.tree import From, Instruction, Word

# What an instruction before a PYENV means for building its venv in a stage of its own, which
# starts FROM the stage's base image, not from the stage as it stands at the PYENV:
# - nothing (metadata the generated steps do not read: they set USER, use absolute paths and
#   the exec form, and an ONBUILD trigger fires only in images built FROM this stage);
INERT = frozenset(
    {"label", "expose", "cmd", "entrypoint", "healthcheck", "stopsignal", "maintainer", "volume",
     "workdir", "shell", "user", "onbuild"}
)
# - the environment the venv's steps run in: declared again, as one line each, in the venv stage;
CARRIED = frozenset({"arg", "env"})
# - anything else (RUN, COPY, ADD, an unknown instruction) may change the files the venv is built
#   on: that PYENV and the later ones in its stage are lowered inline (warning PYENV105).


_UNKNOWN = object()


class Planned(NamedTuple):
    """A venv to build, with what its stage held before its PYENV."""

    venv: Venv
    body_index: int  # where its PYENV is in the tree's body
    user: Optional[str]  # the USER in effect before the PYENV, None when the image's own
    blocker: Optional[Instruction]  # the first instruction before it a venv stage cannot reproduce
    carried: tuple[Instruction, ...]  # the stage's ARG and ENV before it


@attrs.define
class Stage:
    model: stages.Stage  # BuildKit's view: index, FROM node, name, base, parent
    from_index: int  # where its FROM is in the tree's body
    base: images.BaseImage
    parent: Optional["Stage"]  # the earlier stage it is built FROM, if any
    user: Optional[str] = None  # the value of the stage's last USER so far
    planned: list[Planned] = attrs.Factory(list)
    names: dict[str, int] = attrs.Factory(dict)  # venv name -> line
    blocker: Optional[Instruction] = None  # the first instruction a venv stage cannot reproduce
    carried: list[Instruction] = attrs.Factory(list)  # the ARG and ENV instructions so far
    inherited: object = _UNKNOWN  # the parent's user in effect, once asked (a chain is walked once)

    @property
    def number(self) -> int:
        return self.model.index

    @property
    def from_node(self) -> From:
        return self.model.node

    @property
    def image_word(self) -> Optional[Word]:
        return self.model.base

    @property
    def from_variable(self) -> bool:
        """A variable in the image word's last path element: the tag may come from it."""
        return self.image_word is not None and "$" in self.image_word.value.rsplit("/", 1)[-1]

    def note(self, node: Instruction) -> None:
        """Record a non-PYENV instruction of this stage (after its FROM)."""
        if node.command in CARRIED:
            self.carried.append(node)
        elif node.command not in INERT and self.blocker is None:
            self.blocker = node

    def plan(self, venv: Venv, body_index: int) -> None:
        self.planned.append(Planned(venv, body_index, self.user_in_effect(), self.blocker, tuple(self.carried)))

    def user_in_effect(self) -> Optional[str]:
        """The USER in effect: this stage's last, else the one of the stage it is built FROM."""
        # A loop, not recursion (a chain of thousands of stages); each answer is kept, since the
        # stages a stage is built FROM are read to their end before it starts.
        walked, stage = [], self
        while stage.user is None and stage.parent is not None and stage.inherited is _UNKNOWN:
            walked.append(stage)
            stage = stage.parent
        if stage.user is not None:
            value = stage.user
        else:
            value = None if stage.parent is None else stage.inherited
        for each in walked:
            each.inherited = value
        return value  # type: ignore[return-value]


def classify(model: stages.Stage, parent: Optional[Stage], options: Options) -> images.BaseImage:
    """What is known of the stage's base: its parent stage's base, or the image it names."""
    if parent is not None:
        return parent.base
    if model.resolved is None:
        return images.classify(None)
    return images.classify(images.parse_image(model.resolved), options.runtime_images)


class Runtime(NamedTuple):
    """What the generated steps need to know of a stage's image, options applied."""

    uid: int
    home: str
    flavour: str  # the official python image's flavour, matching the base's Debian release
    default_user: str  # restored after a PYENV when the stage set no USER

    @classmethod
    def of(cls, stage: Stage, options: Options) -> "Runtime":
        base = stage.base
        uid = options.uid if options.uid is not None else base.uid
        home = options.home if options.home is not None else base.home
        flavour = options.python_flavour or base.flavour or images.DEFAULT_FLAVOUR
        if base.user is not None:
            user = base.user
        elif options.user is not None:
            user = options.user
        else:
            user = f"{uid}:0"
        return cls(uid, home, flavour, user)


def astro_applies(stage: Stage, options: Options) -> bool:
    """The Astro Runtime rewrite: a stage FROM a versioned, non-`-base` runtime tag directly."""
    base = stage.base
    return (
        options.astro
        and base.kind == "runtime"
        and not base.is_base_tag
        and base.image is not None
        and base.image.tag is not None
        and base.image.digest is None
        and base.flavour is not None
        and stage.parent is None  # FROM <image> directly, not FROM <stage>
    )
