"""The `pyenvc` command line: one module per command, and the edge they share."""

from __future__ import annotations

from typing import Optional, Sequence


def run(argv: Optional[Sequence[str]] = None) -> int:
    """The `pyenvc` program's entry point (not named `main`: that is the module): runs
    `pyenvc.commands.main.main`, and spares the process two rounds of the cyclic garbage
    collector that find nothing. Its modules are imported with the collector paused: an import
    makes many objects and frees almost none (the collections meanwhile cost ~6 ms of a
    start-up). And at exit the heap is frozen (gc.freeze) before the interpreter's final
    collection, which would otherwise walk every object the imports made just before the
    process ends (~10 ms). The command itself runs with the collector as it was."""
    import atexit
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        from pyenvc.commands.main import main
    finally:
        if paused:
            gc.enable()
    atexit.unregister(gc.freeze)  # once, however often run() is called
    atexit.register(gc.freeze)
    return main(argv)
