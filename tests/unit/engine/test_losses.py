"""The loss watch's cheap checks are supersets of what changes the risk engine's state."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from bot.domain import Money
from bot.engine.extremes import BlockExtremes, TickExtremes
from bot.engine.losses import LossWatch
from tests.unit.engine.engines import settings

DAY_MS = 86_400_000


def _watch() -> LossWatch:
    limits = replace(settings().risk, max_drawdown_pct=Decimal(10), daily_loss_limit=Money(50))
    watch = LossWatch(limits)
    watch.saw(1000.0, 3 * DAY_MS)
    return watch


def test_a_new_day_a_days_last_bar_or_a_possible_new_peak_must_be_told() -> None:
    watch = _watch()
    assert watch.must_tell(900.0, 4 * DAY_MS, False)  # the first bar of a new day
    assert watch.must_tell(1000.0, 3 * DAY_MS + 1, False)  # may equal the peak
    assert watch.must_tell(990.0, 3 * DAY_MS + 1, True)  # the next day starts from it
    assert not watch.must_tell(990.0, 3 * DAY_MS + 1, False)


def test_a_day_starts_from_the_last_equity_told_before_it() -> None:
    watch = _watch()  # 1,000 on day 3
    watch.saw(970.0, 3 * DAY_MS + 5)
    watch.saw(960.0, 4 * DAY_MS)
    assert (watch.day, watch.day_start, watch.last) == (4, 970.0, 960.0)
    # day 4 started at 970: a bar at 925 is a loss of 45 (limit 50), at 915 one of 55
    assert not watch.may_breach(925.0, 960.0)
    assert watch.may_breach(915.0, 960.0)
    # a day that begins inside a stretch starts from the bar before it
    ts = np.array([4 * DAY_MS + 7, 5 * DAY_MS, 5 * DAY_MS + 1], dtype=np.int64)
    equity = np.array([990.0, 960.0, 945.0])  # day 5 starts from 990: 945 is a loss of 45
    assert watch.safe_length(equity, ts, 945.0, 990.0) == 3
    equity = np.array([999.0, 960.0, 945.0])  # from 999: a loss of 54 on the last bar
    assert watch.safe_length(equity, ts, 945.0, 999.0) == 2


def test_may_breach_agrees_with_the_safe_length() -> None:
    watch = _watch()
    ts = np.full(3, 3 * DAY_MS + 1, dtype=np.int64)
    calm = np.array([990.0, 980.0, 995.0])
    assert not watch.may_breach(980.0, 995.0)
    assert watch.safe_length(calm, ts, 980.0, 995.0) == 3
    falling = np.array([990.0, 960.0, 940.0])  # the day's loss reaches 50 on the last bar
    assert watch.may_breach(940.0, 990.0)
    assert watch.safe_length(falling, ts, 940.0, 990.0) == 2


def test_block_extremes_bound_every_stretch() -> None:
    rng = np.random.default_rng(3)
    high = rng.uniform(100, 200, 1000)
    low = high - rng.uniform(0, 50, 1000)
    blocks = BlockExtremes(high, low)
    for start, stop in [(0, 1), (5, 40), (31, 33), (990, 1000), (0, 1000)]:
        assert blocks.highest(start, stop) >= high[start:stop].max()
        assert blocks.lowest(start, stop) <= low[start:stop].min()


def test_tick_extremes_bound_every_stretch() -> None:
    ticks = np.random.default_rng(5).integers(1_000, 2_000, 1000)
    closes = TickExtremes(ticks)
    for start, stop in [(0, 1), (5, 40), (31, 33), (990, 1000), (0, 1000), (64, 96)]:
        least, most = closes.bounds(start, stop)
        assert least <= ticks[start:stop].min()
        assert most >= ticks[start:stop].max()
        assert isinstance(least, int)
        assert isinstance(most, int)


@pytest.mark.parametrize("limit_open", [True, False])
@pytest.mark.parametrize(
    ("equity", "ts_ms"),
    [
        (900.0, 4 * DAY_MS),
        (1000.0, 3 * DAY_MS + 1),
        (990.0, 3 * DAY_MS + 1),
        (940.0, 3 * DAY_MS + 9),
    ],
)
def test_a_visited_bar_is_told_on_a_new_day_a_peak_or_a_possible_breach(
    equity: float, ts_ms: int, limit_open: bool
) -> None:
    watch = _watch()
    expected = watch.must_tell(equity, ts_ms, False) or (
        limit_open and watch.may_breach(equity, equity)
    )
    assert watch.must_tell_bar(equity, ts_ms, limit_open, False) == expected
    assert watch.must_tell_bar(equity, ts_ms, limit_open, True)  # a day's last bar
    # 940 is a loss of 60 on the day, past the limit of 50: a possible breach
    assert watch.must_tell_bar(940.0, 3 * DAY_MS + 9, True, False)
    assert not watch.must_tell_bar(940.0, 3 * DAY_MS + 9, False, False)
