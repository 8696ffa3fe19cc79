"""Stamps for the live tick-to-order benchmark (``bench_live.py``), taken by wrappers.

:meth:`TickProbe.install` wraps, at class level and for this process only, the product
code the benchmark observes without changing it: ``BybitStream._on_message`` (the kline
arrives on pybit's thread), ``BybitStream._put`` and ``LiveSession.handle`` (events in
and out of the engine's queue), ``LiveSession.housekeeping`` and ``LiveSession.run``
(the engine loop idle and trading), pybit's ``HTTP.place_order`` (the order request
leaves the bot), ``BybitRest._read`` (REST reads inside the measured span, timed and
counted) and ``RateLimiter.acquire`` (waits counted). It also enlarges the client-side
rate-limit buckets. The returned function undoes all of it.

Each wrapper takes its ``perf_counter_ns`` stamp first and does its bookkeeping after
the wrapped call where it can, so the measured span carries as little of the probe as
possible (a few stamps, dict writes and flags: a few microseconds per tick).
"""

from __future__ import annotations

import gc
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Final

from bot.engine.live.session import LiveSession
from bot.exchange.bybit import limits
from bot.exchange.bybit.rest import BybitRest
from bot.exchange.bybit.stream import BarEvent, BybitStream, StreamEvent

#: The private-stream messages the fake sends for a filled market order.
PRIVATE_TOPICS: Final = frozenset({"order", "execution", "position", "wallet"})


def percentile(ordered: list[int], q: float) -> float:
    """Nearest-rank percentile of sorted nanoseconds, in microseconds."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] / 1000


def spread(samples: list[int]) -> dict[str, float]:
    """p50, p90, p99, max and mean of ``samples`` (ns), in microseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50_us": 0.0, "p90_us": 0.0, "p99_us": 0.0, "max_us": 0.0, "mean_us": 0.0}
    return {
        "p50_us": percentile(ordered, 0.50),
        "p90_us": percentile(ordered, 0.90),
        "p99_us": percentile(ordered, 0.99),
        "max_us": ordered[-1] / 1000,
        "mean_us": statistics.fmean(ordered) / 1000,
    }


class TickProbe:
    """Per-bar stamps (ns) and the engine's state, shared by the wrappers and the pacer."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.received: dict[int, int] = {}
        self.dequeued: dict[int, int] = {}
        self.strategy_at: dict[int, int] = {}
        self.placed: dict[int, int] = {}
        self.orders: Counter[int] = Counter()
        self.answered: set[int] = set()
        self.bars_done: set[int] = set()
        self.expected: list[int] = []
        self.current_bar: int | None = None
        self.handling_bar: int | None = None
        self.rest_ns: Counter[int] = Counter()
        self.rest_calls: Counter[int] = Counter()
        self.private_topics: set[str] = set()
        self.puts = 0
        self.handled = 0
        self.housekept = False
        self.in_housekeeping = False
        self.behind_housekeeping: set[int] = set()
        self.gc_pauses: list[tuple[int, int, int]] = []  # (generation, start ns, end ns)
        self._gc_started = 0
        self.trading = False
        self.rate_waits = 0
        self.settle_timeouts = 0
        self._last_push = 0.0

    # -- called by the strategy and the pacer -----------------------------------------

    def strategy_called(self, ts_ms: int) -> None:
        """The strategy was handed the bar starting at ``ts_ms`` (engine thread)."""
        self.strategy_at.setdefault(ts_ms, time.perf_counter_ns())
        self.current_bar = ts_ms

    def wait_trading(self, bot: threading.Thread, timeout: float) -> bool:
        """Wait until the engine loop trades and finished one housekeeping round."""
        with self._cond:
            self._cond.wait_for(
                lambda: (self.trading and self.housekept) or not bot.is_alive(), timeout
            )
            return self.trading and self.housekept

    def expect(self, ts_ms: int) -> None:
        """The bar starting at ``ts_ms`` is about to be pushed."""
        self.expected.append(ts_ms)
        self._last_push = time.perf_counter()

    def settle(self, ts_ms: int, timeout: float, *, min_gap_s: float) -> None:
        """Wait until the bar's order (if any) was answered and its private messages
        handled, the queue is empty and the engine finished housekeeping; then until
        ``min_gap_s`` passed since the push."""

        def settled() -> bool:
            if ts_ms not in self.bars_done or self.puts != self.handled or not self.housekept:
                return False
            if ts_ms not in self.placed:
                return True
            return ts_ms in self.answered and self.private_topics >= PRIVATE_TOPICS

        with self._cond:
            if not self._cond.wait_for(settled, timeout):
                self.settle_timeouts += 1
        left = self._last_push + min_gap_s - time.perf_counter()
        if left > 0:
            time.sleep(left)

    # -- results ---------------------------------------------------------------------------

    def figures(self, ticks: int, elapsed_s: float, fake_orders: int) -> dict[str, object]:
        """Latencies (us) of the expected bars, the stages, and the counts."""
        measured = [t for t in self.expected if t in self.placed and t in self.received]
        total = [self.placed[t] - self.received[t] for t in measured]
        staged = [t for t in measured if t in self.dequeued and t in self.strategy_at]
        half = len(total) // 2
        return {
            "ticks": ticks,
            "measured": len(total),
            "no_order": sum(1 for t in self.expected if t not in self.placed),
            "not_received": sum(1 for t in self.expected if t not in self.received),
            "extra_orders": sum(n - 1 for n in self.orders.values() if n > 1),
            "orders_at_fake": fake_orders,
            "settle_timeouts": self.settle_timeouts,
            "ticks_behind_housekeeping": self._behind(measured, total),
            "slowest_tick": self._slowest(measured, total),
            "gc": self._gc_figures(measured),
            "rate_limit_waits": self.rate_waits,
            "elapsed_s": elapsed_s,
            "ticks_per_s": ticks / elapsed_s if elapsed_s > 0 else 0.0,
            "tick_to_order": spread(total),
            "first_half_p50_us": spread(total[:half])["p50_us"] if half else 0.0,
            "second_half_p50_us": spread(total[half:])["p50_us"] if half else 0.0,
            "stages": {
                "stream_to_engine": spread([self.dequeued[t] - self.received[t] for t in staged]),
                "engine_to_strategy": spread(
                    [self.strategy_at[t] - self.dequeued[t] for t in staged]
                ),
                "strategy_to_order": spread([self.placed[t] - self.strategy_at[t] for t in staged]),
                "rest_reads_in_span": spread([self.rest_ns[t] for t in measured]),
            },
            "rest_reads_per_tick": (
                statistics.fmean(self.rest_calls[t] for t in measured) if measured else 0.0
            ),
        }

    def _behind(self, measured: list[int], total: list[int]) -> dict[str, float]:
        """Ticks that arrived while the engine was in its housekeeping (periodic
        reconciliation, clock skew, stream checks) and their latencies."""
        behind = [n for t, n in zip(measured, total, strict=True) if t in self.behind_housekeeping]
        return {"count": len(behind), "max_us": max(behind, default=0) / 1000}

    def _slowest(self, measured: list[int], total: list[int]) -> dict[str, float]:
        """The stages of the slowest tick (us)."""
        if not total:
            return {}
        ts = measured[total.index(max(total))]
        received, placed = self.received[ts], self.placed[ts]
        dequeued, called = self.dequeued.get(ts, received), self.strategy_at.get(ts, placed)
        return {
            "total_us": (placed - received) / 1000,
            "stream_to_engine_us": (dequeued - received) / 1000,
            "engine_to_strategy_us": (called - dequeued) / 1000,
            "strategy_to_order_us": (placed - called) / 1000,
            "rest_reads_us": self.rest_ns[ts] / 1000,
        }

    def _gc_figures(self, measured: list[int]) -> dict[str, float]:
        """Collections during the run: count and longest pause per generation, and how
        many measured spans a pause of 10 ms or more fell into."""
        found: dict[str, float] = {}
        for generation in (0, 1, 2):
            pauses = [end - start for g, start, end in self.gc_pauses if g == generation]
            found[f"gen{generation}_collections"] = len(pauses)
            found[f"gen{generation}_max_pause_us"] = max(pauses, default=0) / 1000
        long = [(start, end) for _, start, end in self.gc_pauses if end - start >= 10_000_000]
        found["spans_with_a_10ms_pause"] = sum(
            1
            for t in measured
            if any(start < self.placed[t] and end > self.received[t] for start, end in long)
        )
        return found

    # -- the wrappers ------------------------------------------------------------------------

    def install(self, rate_scale: int) -> Callable[[], None]:
        """Wrap the observed methods and enlarge the rate-limit buckets; returns the undo."""
        from pybit.unified_trading import HTTP

        targets: list[tuple[type, str, Wrapper]] = [
            (BybitStream, "_on_message", _on_message),
            (BybitStream, "_put", _put),
            (LiveSession, "handle", _handle),
            (LiveSession, "housekeeping", _housekeeping),
            (LiveSession, "run", _run),
            (HTTP, "place_order", _place_order),
            (BybitRest, "_read", _read),
            (limits.RateLimiter, "acquire", _acquire),
        ]
        saved: list[tuple[type, str, object]] = []
        for owner, name, make in targets:
            saved.append((owner, name, owner.__dict__.get(name)))
            setattr(owner, name, make(self, getattr(owner, name)))
        rates = dict(limits.BYBIT_RATES)
        for group, rate in rates.items():
            limits.BYBIT_RATES[group] = limits.Rate(rate.capacity * rate_scale, rate.per_s)
        gc.callbacks.append(self._on_gc)

        def undo() -> None:
            for owner, name, original in reversed(saved):
                if original is None:
                    delattr(owner, name)  # it was inherited
                else:
                    setattr(owner, name, original)
            limits.BYBIT_RATES.update(rates)
            gc.callbacks.remove(self._on_gc)

        return undo

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        """Note each collection's pause (``gc.callbacks``; runs on the collecting thread)."""
        if phase == "start":
            self._gc_started = time.perf_counter_ns()
        elif self._gc_started:
            self.gc_pauses.append((info["generation"], self._gc_started, time.perf_counter_ns()))
            self._gc_started = 0

    def _message(self, stream: str, message: object, stamp: int) -> None:
        """Note a kline's arrival stamp, or a private message's topic."""
        if not isinstance(message, dict):
            return
        topic = message.get("topic")
        if not isinstance(topic, str):
            return
        if stream == "private":
            with self._cond:
                self.private_topics.add(topic)
                self._cond.notify_all()
            return
        data = message.get("data")
        if topic.startswith("kline.") and isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and item.get("confirm") is True:
                    start = item.get("start")
                    if isinstance(start, int):
                        self.received.setdefault(start, stamp)
                        if self.in_housekeeping:
                            self.behind_housekeeping.add(start)


Original = Callable[..., object]
#: Builds the wrapper of one method from the probe and the method it wraps.
Wrapper = Callable[[TickProbe, Original], object]


def _on_message(probe: TickProbe, original: Original) -> object:
    def on_message(stream: BybitStream, message: object) -> None:
        stamp = time.perf_counter_ns()
        original(stream, message)
        probe._message(stream.name, message, stamp)

    return on_message


def _put(probe: TickProbe, original: Original) -> object:
    def put(stream: BybitStream, event: StreamEvent) -> None:
        with probe._cond:
            probe.puts += 1
        original(stream, event)

    return put


def _handle(probe: TickProbe, original: Original) -> object:
    def handle(session: LiveSession, event: StreamEvent) -> None:
        bar = event.bar.ts_ms if type(event) is BarEvent and event.confirmed else None
        if bar is not None:
            probe.dequeued.setdefault(bar, time.perf_counter_ns())
        probe.housekept = False
        probe.handling_bar = bar
        try:
            original(session, event)
        finally:
            probe.handling_bar = None
            with probe._cond:
                probe.handled += 1
                if bar is not None:
                    probe.bars_done.add(bar)
                probe._cond.notify_all()

    return handle


def _housekeeping(probe: TickProbe, original: Original) -> object:
    def housekeeping(session: LiveSession) -> None:
        probe.housekept = False
        probe.in_housekeeping = True
        try:
            original(session)
        finally:
            probe.in_housekeeping = False
        with probe._cond:
            probe.housekept = True
            probe._cond.notify_all()

    return housekeeping


def _run(probe: TickProbe, original: Original) -> object:
    def run(session: LiveSession) -> object:
        with probe._cond:
            probe.trading = True
        return original(session)

    return run


def _place_order(probe: TickProbe, original: Original) -> object:
    def place_order(http: object, **params: object) -> object:
        stamp = time.perf_counter_ns()
        bar = probe.current_bar
        probe.private_topics = set()
        if bar is not None:
            probe.placed.setdefault(bar, stamp)
            probe.orders[bar] += 1
        try:
            return original(http, **params)
        finally:
            with probe._cond:
                if bar is not None:
                    probe.answered.add(bar)
                probe._cond.notify_all()

    return place_order


def _read(probe: TickProbe, original: Original) -> object:
    def read(rest: BybitRest, *args: object, **kwargs: object) -> object:
        stamp = time.perf_counter_ns()
        try:
            return original(rest, *args, **kwargs)
        finally:
            bar = probe.handling_bar
            if bar is not None and bar not in probe.placed:
                probe.rest_ns[bar] += time.perf_counter_ns() - stamp
                probe.rest_calls[bar] += 1

    return read


def _acquire(probe: TickProbe, original: Original) -> object:
    def acquire(limiter: limits.RateLimiter, *args: object, **kwargs: object) -> object:
        waited = original(limiter, *args, **kwargs)
        if isinstance(waited, float) and waited > 0:
            probe.rate_waits += 1
        return waited

    return acquire
