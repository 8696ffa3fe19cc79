"""Closed bars for a live strategy: once each, in order, gaps filled from REST."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Bar, Price
from bot.engine.live.bars import BarFeed, closed_bar, closed_only

MINUTE = 60_000
T0 = 1_800_000_000_000 // MINUTE * MINUTE


def bar(index: int, close: str = "100") -> Bar:
    """The one-minute bar number ``index`` after ``T0``."""
    price = Price(close)
    return Bar(T0 + index * MINUTE, price, price, price, price, Decimal(2))


def test_a_closed_bar_is_the_backtests_float_view():
    assert closed_bar(bar(0, "65000.1")) == (T0, 65000.1, 65000.1, 65000.1, 65000.1, 2.0)


def test_the_open_candle_of_a_rest_answer_is_left_out():
    bars = [bar(0), bar(1), bar(2)]
    assert closed_only(bars, MINUTE, T0 + 2 * MINUTE + 5) == bars[:2]


def test_repeats_and_older_bars_are_dropped():
    feed = BarFeed(MINUTE, lambda limit: [])
    assert feed.take(bar(1)) == [bar(1)]
    assert feed.take(bar(1)) == []
    assert feed.take(bar(0)) == []
    feed.seen(bar(5).ts_ms)
    assert feed.take(bar(4)) == []
    assert feed.take(bar(6)) == [bar(6)]


def test_a_gap_is_filled_from_rest_before_the_new_bar():
    asked: list[int] = []

    def fetch(limit: int) -> list[Bar]:
        asked.append(limit)
        return [bar(i) for i in range(0, 6)]

    feed = BarFeed(MINUTE, fetch)
    feed.take(bar(1))
    assert feed.take(bar(5)) == [bar(2), bar(3), bar(4), bar(5)]
    assert asked == [5]
    assert feed.filled == 3
    assert feed.gaps == 0


def test_a_gap_rest_cannot_fill_is_counted_and_the_bar_still_handed_over():
    def fetch(limit: int) -> list[Bar]:
        raise ConnectionError("down")

    feed = BarFeed(MINUTE, fetch)
    feed.take(bar(1))
    assert feed.take(bar(4)) == [bar(4)]
    assert feed.gaps == 1


def test_an_interval_must_be_positive():
    with pytest.raises(ValueError, match="interval_ms"):
        BarFeed(0, lambda limit: [])


def test_a_closed_bar_the_stream_lost_is_fetched_once_and_only_when_overdue():
    history = [bar(i) for i in range(5)]

    def fetch(limit: int) -> list[Bar]:
        return history[-limit:]

    feed = BarFeed(MINUTE, fetch)
    assert feed.missed(10 * MINUTE) == []  # nothing handed over yet: the warm-up decides
    feed.seen(history[2].ts_ms)
    # bar 3 closes at the start of minute 4 (+ the interval): not overdue before that
    assert feed.missed(history[3].ts_ms + MINUTE - 1) == []
    assert feed.missed(history[3].ts_ms + MINUTE) == [history[3]]  # bar 4 still open
    assert feed.missed(history[4].ts_ms + MINUTE) == [history[4]]
    assert feed.missed(history[4].ts_ms + 5 * MINUTE) == []  # nothing after the last
    assert feed.take(history[4]) == []  # the stream's copy comes later: dropped


def test_a_failing_fetch_misses_nothing_for_now():
    def fetch(limit: int) -> list[Bar]:
        raise OSError("down")

    feed = BarFeed(MINUTE, fetch)
    feed.seen(bar(0).ts_ms)
    assert feed.missed(bar(5).ts_ms) == []
    assert feed.last_ts_ms == bar(0).ts_ms
