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


class IdleCollector:
    """Young-generation collections between events, so they do not land inside an order.

    CPython collects the young generation whenever 700 (its first threshold) more
    container objects have been made than freed, wherever that happens: on about one
    entry in a hundred, in the middle of sending it (~40 us more on that order). A live
    engine thread calls :meth:`idle` between events; once the young generation is half
    way to the threshold it is collected there, and the middle generation on CPython's
    own schedule (after ten young collections).

    When a full collection is due, :meth:`idle` leaves it to CPython, whose own rule
    decides whether scanning the whole heap is worth it (it skips it until the long-lived
    objects have grown by a quarter): that automatic collection may land in an order,
    about once per hundred young collections. Automatic collection stays on throughout,
    so a burst inside one event is still collected.
    """

    def __init__(self) -> None:
        young, middle, old = gc.get_threshold()
        self._young_at = max(young // 2, 1)
        self._middle = middle
        self._old = old

    def idle(self) -> int | None:
        """Collect what is due now; the generation collected, or None when nothing was."""
        young, middle, old = gc.get_count()
        if young < self._young_at or not gc.isenabled():
            return None
        if middle <= self._middle:  # CPython's own test: more than the threshold
            generation = 0
        elif old <= self._old:
            generation = 1
        else:  # a full collection is due: CPython's own rule decides (see the class doc)
            return None
        gc.collect(generation)
        return generation
