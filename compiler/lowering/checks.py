"""The checks that need a whole stage: its base image, its Python versions and images, the
Astro Runtime project files, and where the stages layout cannot split.

In: a `Stage` with its planned venvs, its `Runtime`, the options and the reporter. Out:
diagnostics (warnings, and the errors PYENV012, PYENV019 and PYENV020).
"""

from __future__ import annotations

import os
import re

from pyenvc.lowering import images, pythons
from pyenvc.lowering.options import Options
from pyenvc.lowering.report import Reporter, keyword_of
from pyenvc.lowering.stage import Planned, Runtime, Stage, astro_applies

_PINS_AIRFLOW = re.compile(r"apache-airflow\s*[=~>]{1,2}.*")


def check_stage(stage: Stage, runtime: Runtime, options: Options, reporter: Reporter) -> None:
    _base_image(stage, runtime, options, reporter)
    versions: dict[str, tuple[str, int]] = {}
    for planned in stage.planned:
        venv = planned.venv
        if options.layout == "stages":
            _split(stage, planned, reporter)
        image = venv.image or venv.version.image(runtime.flavour)
        if venv.image is None and not pythons.image_exists(venv.version, runtime.flavour):
            reporter.report(
                venv.node, venv.version_word, "PYENV012",
                f"there is no official image {image} for Python {venv.version.text}",
                "name an image with that CPython under /usr/local: `PYENV --python-image=IMAGE ...`,"
                " or pick another --python-flavour",
            )
            continue
        eol = pythons.end_of_life(venv.version)
        if eol is not None:
            # the provider's runner needs 3.7: before it, the venv builds but no @task.venv runs in it
            too_old = (venv.version.major, venv.version.minor) < pythons.TASK_VENV_MINIMUM
            reporter.report(venv.node, venv.version_word, "PYENV101",
                            f"Python {venv.version.major_minor} reached its end of life on {eol.isoformat()}"
                            + (", and @task.venv cannot run a task in it" if too_old else ""),
                            "move the venv to a supported Python version"
                            + (" (@task.venv needs 3.7 or later)" if too_old else ""))
        mm = venv.version.major_minor
        if mm in versions and versions[mm][0] != image:
            reporter.report(
                venv.node, venv.version_word, "PYENV020",
                f"Python {mm} is already taken from {versions[mm][0]} in this stage (line {versions[mm][1]}), not {image}",
                f"use the same version and image for every Python {mm} venv in a stage",
            )
        versions.setdefault(mm, (image, venv.line))
    if astro_applies(stage, options) and options.context is not None:
        _astro_files(stage, options, reporter)


def _base_image(stage: Stage, runtime: Runtime, options: Options, reporter: Reporter) -> None:
    base, node, word = stage.base, stage.from_node, stage.image_word
    if base.kind in ("unknown", "scratch") and options.user is None and options.uid is None and options.home is None:
        shown = word.value if word is not None else ""
        why = " (its value is not known at compile time)" if "$" in shown else ""
        reporter.report(
            node, word, "PYENV102",
            f"base image '{shown}' is not one pyenvc knows{why}: assuming uid {images.DEFAULT_UID},"
            f" home {images.DEFAULT_HOME} and flavour {runtime.flavour}",
            "pass --user, --uid, --home and --python-flavour for this image (or --build-arg for its"
            " variables), and write `USER ...` before the PYENV to restore a user by name",
        )
    if base.kind == "runtime" and base.flavour is None and options.python_flavour is None:
        reporter.report(
            node, word, "PYENV102",
            f"Astro Runtime tag '{base.image.tag if base.image else ''}' is not one the flavour table knows: "
            f"using {images.DEFAULT_FLAVOUR} and leaving FROM alone",
            "use a versioned tag such as 12.1.0, or pass --python-flavour",
        )
    if stage.from_variable and base.flavour is not None and options.python_flavour is None:
        reporter.report(
            node, word, "PYENV103",
            f"the interpreter flavour {base.flavour} was chosen from the compile-time value of '{word.value if word else ''}'",
            "build with the same --build-arg values you compile with, or pass --python-flavour",
        )


def _split(stage: Stage, planned: Planned, reporter: Reporter) -> None:
    """The stages layout builds this venv inline instead (PYENV105), and says why."""
    if stage.image_word is None:
        why = "its stage's FROM names no image"
    elif planned.blocker is not None:
        blocker = planned.blocker
        line = reporter.source.position(blocker.start).line
        why = f"line {line} ({blocker.keyword.upper()}) before it in its stage may change the files it would be built on"
    else:
        return
    node = planned.venv.node
    reporter.report(
        node, keyword_of(node), "PYENV105",
        f"venv '{planned.venv.name}' is built inline, not in a stage of its own: {why}",
        "move the PYENV above that line to build the venv in a stage of its own (and in parallel),"
        " or pass --layout inline",
    )


def _astro_files(stage: Stage, options: Options, reporter: Reporter) -> None:
    context = options.context
    assert context is not None
    for name in ("packages.txt", "requirements.txt"):
        why = context.missing(name)
        if why is not None:
            reporter.report(stage.from_node, stage.image_word, "PYENV104",
                            f"Astro Runtime project file '{name}' is not in the build context: {why}",
                            f"create an empty {name} in {context.root}, or pass --no-astro")
    if context.missing("requirements.txt") is not None:
        return
    try:
        with open(os.path.join(context.root, "requirements.txt"), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return
    for number, text in enumerate(lines, 1):
        if _PINS_AIRFLOW.fullmatch(text.rstrip("\r")):
            reporter.report(stage.from_node, stage.image_word, "PYENV019",
                            f"requirements.txt line {number} pins apache-airflow: '{text.strip()}'",
                            "remove that line and change the Astro Runtime version in FROM instead")
