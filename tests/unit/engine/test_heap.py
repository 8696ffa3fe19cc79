"""frozen_setup: the setup is out of the collector's view during the run, and back after."""

from __future__ import annotations

import gc

import pytest

from bot.engine.heap import frozen_setup


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
