"""FeedFreshness, StreamHealthGuard and ClockSkewGuard: pass and block, with numbers."""

from __future__ import annotations

from bot.guards import ClockSkewGuard, FeedFreshness, StreamHealthGuard
from tests.unit.guards.doubles import (
    NOW,
    FakeClock,
    FakeSkew,
    FakeStream,
    market_buy,
    settings,
    ticker,
)


def test_fresh_ticker_passes_up_to_the_limit() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW - 5_000), FakeClock())
    assert guard.check(market_buy()) is None


def test_stale_ticker_is_blocked_with_its_age() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW - 7_500), FakeClock())
    block = guard.check(market_buy())
    assert block is not None
    assert block.guard == "feed_freshness"
    assert block.reason == "ticker of BTCUSDT is 7,500 ms old; limit is 5,000 ms"
    assert block.numbers["age_ms"] == "7500"
    assert block.numbers["max_age_ms"] == "5000"


def test_ticker_slightly_ahead_within_skew_passes() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW + 1_000), FakeClock())
    assert guard.check(market_buy()) is None


def test_ticker_from_the_future_is_blocked() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW + 3_000), FakeClock())
    block = guard.check(market_buy())
    assert block is not None
    assert block.reason == "ticker of BTCUSDT is 3,000 ms in the future; allowed skew is 1,000 ms"
    assert block.numbers["max_clock_skew_ms"] == "1000"


def test_live_stream_passes() -> None:
    guard = StreamHealthGuard(settings(), FakeStream(last_ms=NOW - 10_000), FakeClock())
    assert guard.check(market_buy()) is None


def test_disconnected_stream_is_blocked() -> None:
    block = StreamHealthGuard(settings(), FakeStream(connected=False), FakeClock()).check(
        market_buy()
    )
    assert block is not None
    assert block.guard == "stream_health"
    assert block.reason == "market stream is not connected"
    assert block.numbers == {"connected": "False"}


def test_silent_stream_is_blocked_with_the_silence() -> None:
    guard = StreamHealthGuard(settings(), FakeStream(last_ms=NOW - 12_345), FakeClock())
    block = guard.check(market_buy())
    assert block is not None
    assert block.reason == "market stream silent for 12,345 ms; limit is 10,000 ms"
    assert block.numbers["silence_ms"] == "12345"


def test_stream_message_from_the_future_is_blocked() -> None:
    guard = StreamHealthGuard(settings(), FakeStream(last_ms=NOW + 5_000), FakeClock())
    block = guard.check(market_buy())
    assert block is not None
    assert "5,000 ms in the future" in block.reason


def test_small_skew_passes_both_ways() -> None:
    assert ClockSkewGuard(settings(), FakeSkew(1_000)).check(market_buy()) is None
    assert ClockSkewGuard(settings(), FakeSkew(-1_000)).check(market_buy()) is None


def test_large_skew_is_blocked_with_numbers() -> None:
    block = ClockSkewGuard(settings(), FakeSkew(-2_500)).check(market_buy())
    assert block is not None
    assert block.guard == "clock_skew"
    assert block.reason == "local clock is -2,500 ms off the venue; limit is 1,000 ms"
    assert block.numbers == {"skew_ms": "-2500", "max_clock_skew_ms": "1000"}


def test_feed_guards_are_entry_only() -> None:
    assert FeedFreshness.entry_only
    assert StreamHealthGuard.entry_only
    assert ClockSkewGuard.entry_only
