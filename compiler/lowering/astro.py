"""The Astro Runtime rewrite: what the ONBUILD triggers of a runtime image would do, done where
the venvs stay cached.

In: a stage FROM an Astro Runtime image (stage.astro_applies says which). Out: its FROM with the
`-base` tag (no triggers), and the steps that replace the triggers: packages.txt right after
FROM; requirements.txt and the project copy after the stage's last PYENV (lowering/lower.py
places them).
"""

from __future__ import annotations

from pyenvc.lowering import generate, images
from pyenvc.lowering.stage import Stage

ROOT = generate.user("root")
PACKAGES_COMMENT = "# Astro Runtime: packages.txt, as the ONBUILD triggers would"
PROJECT_COMMENT = "# Astro Runtime: requirements.txt and the project, as the ONBUILD triggers would"


def base_tag(stage: Stage) -> str:
    """The stage's FROM instruction, its image word given the `-base` tag (a variable in the
    tag is kept: `${ver}` becomes `${ver}-base`), every other byte as written."""
    node, word = stage.from_node, stage.image_word
    assert word is not None
    at = word.span.end - node.start
    return node.text[:at] + "-base" + node.text[at:]


def packages_steps(stage: Stage) -> list:
    """packages.txt installed as root, then the image's own user again."""
    return [ROOT, *generate.astro_packages(images.ASTRO_PROJECT_DIR), generate.user(stage.base.user)]


def project_steps() -> list:
    """requirements.txt installed and the project copied in, as root."""
    return [PROJECT_COMMENT, ROOT, *generate.astro_project(images.ASTRO_PROJECT_DIR)]
