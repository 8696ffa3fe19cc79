"""frozen_setup: the setup is out of the collector's view during the run, and back after.
IdleCollector: young collections between events, on CPython's own schedule."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.engine.heap import IdleCollector, frozen_setup


def test_the_setup_is_frozen_for_the_block_and_handed_back_after() -> None:
    setup = [object() for _ in range(10)]
    assert gc.get_freeze_count() == 0
    with frozen_setup() as frozen:
        assert frozen >= len(setup)
        with frozen_setup() as inner:  # nested: the outer block owns the freeze
            assert inner > 0
        assert gc.get_freeze_count() > 0  # still frozen after the inner block
    assert gc.get_freeze_count() == 0


def test_an_error_in_the_run_still_unfreezes() -> None:
    with pytest.raises(RuntimeError, match="the run failed"), frozen_setup():
        raise RuntimeError("the run failed")
    assert gc.get_freeze_count() == 0


@pytest.fixture
def small_thresholds() -> Iterator[None]:
    """Thresholds small enough to reach in a test; CPython's own restored after."""
    before = gc.get_threshold()
    gc.collect()
    gc.set_threshold(200, 2, 2)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _young_garbage(count: int) -> list[list[int]]:
    return [[i] for i in range(count)]


def test_idle_collects_nothing_while_the_young_generation_is_under_half(
    small_thresholds: None,
) -> None:
    gc.collect()
    collector = IdleCollector()
    kept = _young_garbage(20)
    before = gc.get_count()
    assert collector.idle() is None
    assert gc.get_count()[1:] == before[1:]  # no collection counted anywhere
    assert len(kept) == 20


def test_idle_collects_the_young_generation_once_it_is_half_way(
    small_thresholds: None,
) -> None:
    gc.collect()
    collector = IdleCollector()
    kept = _young_garbage(150)  # past 100, under CPython's own trigger at 200
    assert gc.get_count()[0] >= 100
    assert collector.idle() == 0
    young, middle, _ = gc.get_count()
    assert young < 100
    assert middle == 1  # counted as one young collection, as CPython would
    assert len(kept) == 150


def test_idle_collects_the_middle_generation_on_cpythons_schedule(
    small_thresholds: None,
) -> None:
    gc.collect()
    collector = IdleCollector()
    for _ in range(3):  # three young collections: past the middle threshold of 2
        gc.collect(0)
    kept = _young_garbage(150)
    assert collector.idle() == 1
    assert gc.get_count()[1] == 0
    assert gc.get_count()[2] == 1
    assert len(kept) == 150


def test_idle_leaves_a_due_full_collection_to_cpython(small_thresholds: None) -> None:
    gc.collect()
    collector = IdleCollector()
    for _ in range(3):
        gc.collect(1)  # three middle collections: a full one is due
    for _ in range(3):
        gc.collect(0)
    kept = _young_garbage(150)
    before = gc.get_count()
    assert collector.idle() is None  # CPython's rule decides whether to scan everything
    assert gc.get_count()[2] == before[2]
    assert len(kept) == 150


def test_idle_does_nothing_when_collection_is_switched_off(small_thresholds: None) -> None:
    gc.collect()
    collector = IdleCollector()
    kept = _young_garbage(150)
    gc.disable()
    try:
        assert collector.idle() is None
        assert gc.get_count()[0] >= 100
    finally:
        gc.enable()
    assert len(kept) == 150
