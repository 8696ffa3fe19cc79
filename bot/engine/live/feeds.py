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
from collections.abc import Sequence
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

    ``stream`` is the market-data stream; ``others`` (the private stream) must be up and
    resynced too, since fills and order updates arrive there. A reconnect sets a
    stream's ``needs_resync``; the runner clears it once its REST resync is done, and
    entries are blocked in between.
    """

    def __init__(self, stream: StreamLike, others: Sequence[StreamLike] = ()) -> None:
        self._stream = stream
        self._others = tuple(others)

    def is_connected(self) -> bool:
        """True only while every stream is connected, the market one not silent, and
        none waiting for a resync."""
        stream = self._stream
        if not stream.is_connected() or stream.is_silent() or stream.needs_resync:
            return False
        return all(s.is_connected() and not s.needs_resync for s in self._others)

    def why_not(self) -> str:
        """Why entries are blocked by stream health, in words ("" when healthy)."""
        reasons = []
        for name, each in (("market", self._stream), *(("private", s) for s in self._others)):
            if not each.is_connected():
                reasons.append(f"{name} stream not connected")
            elif each is self._stream and each.is_silent():
                reasons.append(f"{name} stream silent")
            if each.needs_resync:
                reasons.append(f"{name} stream waiting for a REST resync")
        return "; ".join(reasons)

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
