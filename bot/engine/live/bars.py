"""Closed candles for the strategy in a live run: each once, in time order, none missing.

The strategy sees exactly what a backtest shows it: a :class:`~bot.strategy.base.ClosedBar`
of floats per closed candle. Confirmed klines arrive on the public stream; one already
seen (a repeat, or one the warm-up fetched) is dropped, and when one arrives after a gap
(a reconnect lost some) the missing candles are fetched through REST and handed over
first, so indicators never skip a bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain import Bar
from bot.strategy.base import ClosedBar

#: The most candles one REST kline request returns.
MAX_KLINES = 1000


def closed_bar(bar: Bar) -> ClosedBar:
    """The strategy's view of ``bar`` (floats, as in a backtest)."""
    return ClosedBar(
        bar.ts_ms,
        float(bar.open),
        float(bar.high),
        float(bar.low),
        float(bar.close),
        float(bar.volume),
    )


def closed_only(bars: Sequence[Bar], interval_ms: int, venue_now_ms: int) -> list[Bar]:
    """The bars of ``bars`` that had closed at ``venue_now_ms`` (REST lists the open one)."""
    return [b for b in bars if b.ts_ms + interval_ms <= venue_now_ms]


class BarFeed:
    """Hands each closed candle to the strategy once, in order, filling gaps from REST.

    ``fetch(limit)`` answers the latest ``limit`` candles, oldest first (the adapter's
    ``klines``); it may raise, and then the gap stays (counted in ``gaps``).
    """

    def __init__(self, interval_ms: int, fetch: Callable[[int], Sequence[Bar]]) -> None:
        if interval_ms <= 0:
            raise ValueError(f"interval_ms must be > 0, got {interval_ms}")
        self.interval_ms = interval_ms
        self._fetch = fetch
        self.last_ts_ms: int | None = None
        self.gaps = 0
        self.filled = 0

    def take(self, bar: Bar) -> list[Bar]:
        """The candles to hand over now that ``bar`` closed: missing ones first, then it.

        Empty when ``bar`` is not after the last one handed over.
        """
        last = self.last_ts_ms
        if last is not None and bar.ts_ms <= last:
            return []
        found: list[Bar] = []
        if last is not None and bar.ts_ms > last + self.interval_ms:
            missing = (bar.ts_ms - last) // self.interval_ms - 1
            try:
                fetched = self._fetch(min(missing + 2, MAX_KLINES))
            except Exception:  # noqa: BLE001 -- the gap is counted and reported
                fetched = []
            found = [b for b in fetched if last < b.ts_ms < bar.ts_ms]
            self.filled += len(found)
            if len(found) < missing:
                self.gaps += 1
        found.append(bar)
        self.last_ts_ms = bar.ts_ms
        return found

    def missed(self, venue_now_ms: int, limit: int = 10) -> list[Bar]:
        """Closed candles after the last one handed over, through REST (a confirmed kline
        the stream lost: sent before the subscription took, or during a reconnect);
        marked as handed over. Empty when nothing was handed over yet or REST fails."""
        last = self.last_ts_ms
        if last is None or last + 2 * self.interval_ms > venue_now_ms:
            return []
        try:
            fetched = self._fetch(limit)
        except Exception:  # noqa: BLE001 -- tried again at the next period
            return []
        found = [b for b in closed_only(fetched, self.interval_ms, venue_now_ms) if b.ts_ms > last]
        if found:
            self.filled += len(found)
            self.last_ts_ms = found[-1].ts_ms
        return found

    def seen(self, ts_ms: int) -> None:
        """Mark everything up to ``ts_ms`` as handed over (after the warm-up)."""
        if self.last_ts_ms is None or ts_ms > self.last_ts_ms:
            self.last_ts_ms = ts_ms
