"""What the guards read in a live run: stream tickers, stream health and clock skew.

The public stream's tickers land in a :class:`TickerBook` (the guards' price source);
:class:`FeedHealth` says the market-data stream is alive only while it is connected,
not silent and not waiting for a REST resync after a reconnect; :class:`MeasuredSkew`
holds the last measurement of the local clock against ``/v5/market/time`` (None until
measured, which the skew guard treats as a block).
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

from bot.domain import Symbol, Ticker


class WallClock:
    """The local wall clock in epoch milliseconds."""

    def now_ms(self) -> int:
        """Epoch milliseconds now."""
        return time.time_ns() // 1_000_000


class TickerBook:
    """The latest stream ticker per symbol (written by the engine thread, read by guards)."""

    def __init__(self) -> None:
        self._tickers: dict[Symbol, Ticker] = {}
        self._lock = threading.Lock()

    def update(self, ticker: Ticker) -> None:
        """Keep ``ticker`` unless a newer one of its symbol is already held."""
        with self._lock:
            held = self._tickers.get(ticker.symbol)
            if held is None or held.ts_ms <= ticker.ts_ms:
                self._tickers[ticker.symbol] = ticker

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Latest ticker of ``symbol``, or None if none arrived yet."""
        with self._lock:
            return self._tickers.get(symbol)

    def ages_ms(self, now_ms: int) -> dict[Symbol, int]:
        """Age of each symbol's latest ticker at ``now_ms``."""
        with self._lock:
            return {s: now_ms - t.ts_ms for s, t in sorted(self._tickers.items())}


@runtime_checkable
class StreamLike(Protocol):
    """The part of :class:`~bot.exchange.bybit.stream.BybitStream` the health reads."""

    needs_resync: bool

    def is_connected(self) -> bool:
        """True while the socket is up."""
        ...

    def is_silent(self) -> bool:
        """True when nothing arrived for too long."""
        ...

    def last_message_ms(self) -> int | None:
        """Epoch ms of the last message."""
        ...


class FeedHealth:
    """Stream health for the guards: up, not silent and resynced, or not healthy.

    ``resynced`` is cleared by the runner when a reconnect asks for a REST resync and set
    again once the resync is done; entries are blocked in between.
    """

    def __init__(self, stream: StreamLike) -> None:
        self._stream = stream

    def is_connected(self) -> bool:
        """True only while connected, not silent and not waiting for a resync."""
        stream = self._stream
        return stream.is_connected() and not stream.is_silent() and not stream.needs_resync

    def last_message_ms(self) -> int | None:
        """Epoch ms of the last market-data message."""
        return self._stream.last_message_ms()


class MeasuredSkew:
    """The last measured skew (local minus venue, ms); None until measured."""

    def __init__(self) -> None:
        self._skew_ms: int | None = None

    def record(self, skew_ms: int | None) -> None:
        """Store a measurement; None (a failed measurement) makes the guard block."""
        self._skew_ms = skew_ms

    def skew_ms(self) -> int | None:
        """The last measurement, or None."""
        return self._skew_ms
