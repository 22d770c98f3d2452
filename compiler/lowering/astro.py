"""The Astro Runtime rewrite: what the ONBUILD triggers of a runtime image would do, done where
the venvs stay cached.

In: a stage FROM an Astro Runtime image (stage.astro_applies says which). Out: its FROM with the
`-base` tag (no triggers), and the steps that replace the triggers: packages.txt right after
FROM; requirements.txt right after it in the stages layout (the venvs are built in stages of
their own and never see it, so a venv change does not re-run it), after the stage's last PYENV
in the inline layout; the project copy after the stage's last PYENV (lowering/lower.py places
them).
"""

from __future__ import annotations

from pyenvc.lowering import generate, images
from pyenvc.lowering.stage import Stage

ROOT = generate.user("root")
PACKAGES_COMMENT = "# Astro Runtime: packages.txt, as the ONBUILD triggers would"
PACKAGES_REQUIREMENTS_COMMENT = "# Astro Runtime: packages.txt and requirements.txt, as the ONBUILD triggers would"
PROJECT_COMMENT = "# Astro Runtime: the project, as the ONBUILD triggers would"
REQUIREMENTS_PROJECT_COMMENT = "# Astro Runtime: requirements.txt and the project, as the ONBUILD triggers would"


def base_tag(stage: Stage) -> str:
    """The stage's FROM instruction, its image word given the `-base` tag (a variable in the
    tag is kept: `${ver}` becomes `${ver}-base`), every other byte as written."""
    node, word = stage.from_node, stage.image_word
    assert word is not None
    at = word.span.end - node.start
    return node.text[:at] + "-base" + node.text[at:]


def packages_steps(stage: Stage, requirements: bool = False, restore: bool = True) -> list:
    """packages.txt installed as root (and requirements.txt after it, where `requirements`),
    then the image's own user again (unless not `restore`: a venv stage goes on as root)."""
    steps = [ROOT, *generate.astro_packages(images.ASTRO_PROJECT_DIR)]
    if requirements:
        steps += generate.astro_requirements(images.ASTRO_PROJECT_DIR)
    return [*steps, generate.user(stage.base.user)] if restore else steps


def from_steps(stage: Stage, layout: str) -> list:
    """What follows the rewritten FROM of the user's stage: packages.txt, and in the stages
    layout requirements.txt."""
    early = layout == "stages"
    return [PACKAGES_REQUIREMENTS_COMMENT if early else PACKAGES_COMMENT, *packages_steps(stage, early)]


def project_steps(layout: str) -> list:
    """After the stage's last PYENV: requirements.txt (inline layout, as root) and the project."""
    if layout == "stages":  # a COPY, whose --chown does not need root
        return [PROJECT_COMMENT, *generate.astro_project(images.ASTRO_PROJECT_DIR)]
    return [REQUIREMENTS_PROJECT_COMMENT, ROOT, *generate.astro_requirements(images.ASTRO_PROJECT_DIR),
            *generate.astro_project(images.ASTRO_PROJECT_DIR)]
