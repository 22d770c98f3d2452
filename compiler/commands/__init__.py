"""The `pyenvc` command line: one module per command, and the edge they share."""

from __future__ import annotations

from typing import Optional, Sequence


def run(argv: Optional[Sequence[str]] = None) -> int:
    """The `pyenvc` program's entry point (not named `main`: that is the module): runs
    `pyenvc.commands.main.main`, its modules imported with the cyclic garbage collector
    paused. An import makes many objects and frees almost none, so the collections that would
    run meanwhile find nothing and cost ~6 ms of a start-up. The command itself runs with the
    collector as it was."""
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        from pyenvc.commands.main import main
    finally:
        if paused:
            gc.enable()
    return main(argv)
