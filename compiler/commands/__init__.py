"""The `pyenvc` command line: one module per command, and the edge they share."""

from __future__ import annotations

from typing import Optional, Sequence


def run(argv: Optional[Sequence[str]] = None) -> int:
    """The `pyenvc` program's entry point (not named `main`: that is the module): runs
    `pyenvc.commands.main.main`, and spares the process the cyclic garbage collector's rounds
    over the objects its imports made, which live until the process ends and find nothing:

    - the modules are imported with the collector paused (its rounds meanwhile cost ~6 ms);
    - then those objects are frozen (gc.freeze), so that the command's own collections skip
      them, and are unfrozen when the command returns, unless someone else had frozen objects
      before (then nothing is frozen here, and nothing unfrozen);
    - at exit the heap is frozen again before the interpreter's final collection, which would
      otherwise walk every object just before the process ends (~10 ms).

    Collections still find the command's own garbage as usual."""
    import atexit
    import gc

    enabled = gc.isenabled()
    freeze = gc.get_freeze_count() == 0
    gc.disable()
    try:
        from pyenvc.commands.main import main
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
    atexit.unregister(gc.freeze)  # once, however often run() is called
    atexit.register(gc.freeze)
    try:
        return main(argv)
    finally:
        if freeze:
            gc.unfreeze()
