"""Is the market data alive? Feed freshness, stream health and clock skew.

All three are entry-only: an exit is never held back by a broken feed.
"""

from __future__ import annotations

from bot.domain import Intent
from bot.domain.hotpath import hot_path
from bot.guards.base import Block, Clock, ClockSkew, PriceSource, StreamHealth
from bot.guards.failclosed import FailClosedGuard, InputUnavailable, fmt, read_ms, read_ticker
from bot.guards.settings import GuardSettings


class FeedFreshness(FailClosedGuard):
    """Blocks an entry priced on a ticker that is too old, or from too far in the future."""

    name = "feed_freshness"
    entry_only = True

    def __init__(self, settings: GuardSettings, prices: PriceSource, clock: Clock) -> None:
        self._max_age = settings.max_feed_age_ms
        self._max_skew = settings.max_clock_skew_ms
        self._prices = prices
        self._clock = clock

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block when now - ticker time exceeds the age limit, or the ticker is ahead."""
        ticker = read_ticker(self._prices.ticker, intent.symbol)
        now = read_ms("the local time", self._clock.now_ms())
        age = now - ticker.ts_ms
        if -self._max_skew <= age <= self._max_age:
            return None
        numbers = {"age_ms": str(age), "ticker_ts_ms": str(ticker.ts_ms), "now_ms": str(now)}
        if age > self._max_age:
            numbers["max_age_ms"] = str(self._max_age)
            return Block(
                self.name,
                f"ticker of {intent.symbol} is {fmt(age)} ms old; limit is {fmt(self._max_age)} ms",
                numbers,
            )
        if -age > self._max_skew:
            numbers["max_clock_skew_ms"] = str(self._max_skew)
            return Block(
                self.name,
                f"ticker of {intent.symbol} is {fmt(-age)} ms in the future; allowed skew "
                f"is {fmt(self._max_skew)} ms",
                numbers,
            )
        return None


class StreamHealthGuard(FailClosedGuard):
    """Blocks entries while the market stream is down, silent, or never heard from."""

    name = "stream_health"
    entry_only = True

    def __init__(self, settings: GuardSettings, stream: StreamHealth, clock: Clock) -> None:
        self._max_silence = settings.max_stream_silence_ms
        self._max_skew = settings.max_clock_skew_ms
        self._stream = stream
        self._clock = clock

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block unless connected and the last message is recent (and not from the future)."""
        connected = self._stream.is_connected()
        if connected is not True:
            return Block(
                self.name, "market stream is not connected", {"connected": repr(connected)}
            )
        last = self._stream.last_message_ms()
        if last is None:
            raise InputUnavailable("market stream has never delivered a message")
        last = read_ms("the time of the last stream message", last)
        now = read_ms("the local time", self._clock.now_ms())
        silence = now - last
        if -self._max_skew <= silence <= self._max_silence:
            return None
        numbers = {"silence_ms": str(silence), "last_message_ms": str(last), "now_ms": str(now)}
        if silence > self._max_silence:
            numbers["max_silence_ms"] = str(self._max_silence)
            return Block(
                self.name,
                f"market stream silent for {fmt(silence)} ms; limit is {fmt(self._max_silence)} ms",
                numbers,
            )
        if -silence > self._max_skew:
            numbers["max_clock_skew_ms"] = str(self._max_skew)
            return Block(
                self.name,
                f"last stream message is {fmt(-silence)} ms in the future; allowed skew is "
                f"{fmt(self._max_skew)} ms",
                numbers,
            )
        return None


class ClockSkewGuard(FailClosedGuard):
    """Blocks entries while the local clock is too far from the venue's, or unmeasured."""

    name = "clock_skew"
    entry_only = True

    def __init__(self, settings: GuardSettings, skew: ClockSkew) -> None:
        self._max_skew = settings.max_clock_skew_ms
        self._skew = skew

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block when abs(local - venue) exceeds the limit; unmeasured skew blocks too."""
        skew = self._skew.skew_ms()
        if skew is None:
            raise InputUnavailable("clock skew has never been measured")
        skew = read_ms("the clock skew", skew)
        if abs(skew) <= self._max_skew:
            return None
        return Block(
            self.name,
            f"local clock is {fmt(skew)} ms off the venue; limit is {fmt(self._max_skew)} ms",
            {"skew_ms": str(skew), "max_clock_skew_ms": str(self._max_skew)},
        )
