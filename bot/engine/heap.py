"""Keep the long-lived setup out of the garbage collector's way while a run trades.

Everything built before a run starts (imported modules, the config, the road, the
strategy and its warm-up) lives for the whole run. CPython's collector would still scan
all of it in every older-generation collection: pauses that land on whichever order is
being sent. :func:`frozen_setup` freezes it (:func:`gc.freeze`) for the run and hands
it back to the collector afterwards (:func:`gc.unfreeze`), so a process that runs
several backtests (a sweep worker) never keeps a finished run's objects out of reach of
the collector. (No collection first: it would cost ~40 ms per run, and any garbage
frozen with the setup is collected after the unfreeze.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_setup() -> Iterator[int]:
    """Freeze every object that exists for the duration of the block, then unfreeze.

    Yields how many objects were frozen. Nests: only the outermost block freezes.
    """
    if gc.get_freeze_count():
        yield gc.get_freeze_count()
        return
    gc.freeze()
    try:
        yield gc.get_freeze_count()
    finally:
        gc.unfreeze()
