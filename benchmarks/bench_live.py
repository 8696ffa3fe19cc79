"""Tick-to-order latency of the live runner: a confirmed kline in, the order request out.

A fake Bybit (:class:`tests.fakes.FakeBybit`) listens on 127.0.0.1 in a child process
(:class:`VenueHost`: its own interpreter and GIL, as a venue would be); the real live
runner (:func:`bot.engine.live.runner.run_live`) trades against it in this process,
through the real pybit WebSocket and HTTP clients over loopback, with beartype on and
the default guards and risk (``guard=standard``, ``risk=standard``). Its strategy
(:class:`AnswerEveryBar`) answers every closed bar with one market entry of 0.001 BTC:
a buy when flat, a sell when long. The bars alternate between a low and a high close
(65,000 and 65,300), so every round trip is a winning trade after fees: no loss limit,
drawdown or cooldown comes near, and those stay at their defaults.

Per tick the benchmark has the fake push one confirmed kline (``push_bar``) and takes two
``perf_counter_ns`` stamps, from wrappers it installs around product code it does not
change (:mod:`live_probe`):

- **in**: the bot's stream callback (``BybitStream._on_message``, pybit's thread)
  receives the kline message, before decoding it;
- **out**: the executor's order request is handed to pybit's ``HTTP.place_order``
  (before pybit signs and sends it).

Between the two: decoding and copying the message, the event queue to the engine
thread, the bar feed, the book the strategy sees (position and equity read through
REST), risk's equity check, the strategy, a log line, and the executor's road: trading
state, every guard, the ticker (from the stream's ticker book the guards check), the
portfolio snapshot (read through REST), risk, sizing, the journal write (SQLite, WAL)
and the client-side rate limiter. Three more
stamps split the span into stages (engine takes the bar off the queue; the strategy is
called) and total the REST reads inside it. Also reported: ticks that arrived while the
engine was in its housekeeping (a periodic reconciliation makes such a tick wait; the
figures keep it), garbage collections, and the stages of the slowest tick.

Ticks are paced so the figures are latency, not queueing: the next kline is pushed only
after the previous order was answered, its private-stream messages (order, execution,
position, wallet) arrived, the engine handled every queued event and finished its
housekeeping, and at least ``60 / 9000`` s after the previous push. Limits raised for a
benchmark's steady stream of orders, and nothing else:

- ``risk.max_orders_per_minute=10000`` (the schema's maximum; the default is 60);
- the client-side rate limiter (Bybit's published numbers: 10 orders a second, 600
  requests per 5 s per IP) runs on every request with buckets 100 times larger, so it
  never waits; its waits are counted (must be 0);
- the fake does not enforce Bybit's per-second limits (``enforce_rate_limits=False``).

The fake's handling of the REST reads inside the span is part of the figures (the bot
waits for the answers); its CPU is not the bot's. Its HTTP server writes the
headers and the body of an answer in two ``send`` calls; with Nagle's algorithm on (as
``tests/fakes`` leaves it) the body waits for the client's delayed ACK, about 40 ms on
Linux loopback, for every REST answer. No real venue answers that way, so the benchmark
turns Nagle off on the fake's sockets (``TCP_NODELAY``); ``--nagle`` keeps it on. The
bot's log goes to a file in the run's temporary directory. A tick without an order, or
an intent refused, fails the run (exit 1).

    python benchmarks/bench_live.py [--ticks N] [--json PATH] [--nagle]  # 10,000 ticks
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.fakes when run as a script

from live_probe import TickProbe  # noqa: E402  (benchmarks/ is on sys.path as a script)

from bot.config.settings import StrategySettings  # noqa: E402
from bot.domain import Bar, EntryIntent, Intent, Price, Qty, Side, Symbol  # noqa: E402
from bot.strategy.base import Book, ClosedBar  # noqa: E402
from tests.fakes import FakeBybit  # noqa: E402

MINUTE_MS: Final = 60_000
SYMBOL: Final = Symbol("BTCUSDT")
LOW: Final = Decimal("65000.0")
HIGH: Final = Decimal("65300.0")
#: Closed bars the fake holds before the start (the warm-up reads them).
HISTORY: Final = 6
#: The order-rate limit raised for the run, and the pace that stays inside it.
ORDERS_PER_MINUTE: Final = 10_000
MIN_GAP_S: Final = 60 / 9_000
#: How much larger the client-side rate-limit buckets are than Bybit's numbers.
RATE_SCALE: Final = 100
#: Longest wait for one tick to settle (a tick without an order settles at once).
SETTLE_TIMEOUT_S: Final = 5.0


class AnswerEveryBar:
    """One market entry per closed bar: buy 0.001 BTC when flat, sell it when long."""

    name = "bench_every_bar"

    def __init__(self, probe: TickProbe) -> None:
        self._probe = probe
        self._qty = Qty("0.001")

    def on_bar(self, bar: ClosedBar, book: Book) -> list[Intent]:
        """The one entry of this bar (its start noted for the probe first)."""
        self._probe.strategy_called(bar.ts_ms)
        side = Side.BUY if book.position is None else Side.SELL
        return [EntryIntent(SYMBOL, side, qty=self._qty)]


def bar_at(ts_ms: int, index: int) -> Bar:
    """Bar ``index``: even ones close low, odd ones high (each opens at the other)."""
    close, open_ = (LOW, HIGH) if index % 2 == 0 else (HIGH, LOW)
    return Bar(ts_ms, Price(open_), Price(HIGH), Price(LOW), Price(close), Decimal(1))


class VenueHost:
    """The fake exchange, hosted in a child process (its own interpreter and GIL) and
    driven from the benchmark through a multiprocessing manager."""

    def __init__(self, nagle: bool) -> None:
        from tests.fakes import rest as fake_rest

        # the fake's HTTP handler class, in this child only: TCP_NODELAY on its sockets
        fake_rest._Handler.disable_nagle_algorithm = not nagle
        self._fake = FakeBybit(live_intervals=(), enforce_rate_limits=False).start()

    def endpoints(self) -> dict[str, str]:
        """URLs and the test key pair."""
        fake = self._fake
        return {
            "rest": fake.rest_url,
            "public": fake.ws_public_url,
            "private": fake.ws_private_url,
            "key": fake.api_key,
            "secret": fake.api_secret,
        }

    def push(self, ts_ms: int, index: int) -> None:
        """Push bar ``index`` (starting at ``ts_ms``) as a confirmed kline."""
        self._fake.push_bar(str(SYMBOL), bar_at(ts_ms, index))

    def wait_subscribed(self, topic: str, timeout: float) -> bool:
        """Wait until a socket subscribed to ``topic``."""
        return self._fake.wait_subscribed(topic, timeout=timeout)

    def orders(self) -> int:
        """How many orders the fake holds."""
        return len(self._fake.orders())

    def requests(self) -> dict[str, int]:
        """REST requests received so far, per path."""
        return dict(Counter(r.path for r in self._fake.requests()))

    def stop(self) -> None:
        """Stop the fake's servers."""
        self._fake.stop()


class VenueProcess(BaseManager):
    """The child process that hosts :class:`VenueHost`."""


VenueProcess.register("VenueHost", VenueHost)


def measure(ticks: int, workdir: Path, *, nagle: bool = False) -> dict[str, object]:
    """Run the bot against a fake for ``ticks`` paced bars; the figures."""
    start_ms = (int(time.time() * 1000) // MINUTE_MS - ticks - HISTORY - 30) * MINUTE_MS
    with VenueProcess() as process:
        venue: VenueHost = process.VenueHost(nagle)  # type: ignore[attr-defined]
        try:
            for index in range(-HISTORY, 0):
                venue.push(start_ms + index * MINUTE_MS, index)
            probe = TickProbe()
            undo = probe.install(RATE_SCALE)
            try:
                elapsed = _trade(venue, probe, ticks=ticks, start_ms=start_ms, workdir=workdir)
            finally:
                undo()
            requests = venue.requests()
            fake_orders = venue.orders()
        finally:
            venue.stop()
    log_path = workdir / "live.log"
    return probe.figures(ticks, elapsed, fake_orders) | {
        "rest_requests_per_tick": {p: round(n / ticks, 2) for p, n in sorted(requests.items())},
        "orders_per_minute_limit": ORDERS_PER_MINUTE,
        "rate_limiter_scale": RATE_SCALE,
        "fake_nagle": nagle,
        "beartype_on": not sys.flags.optimize,
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "refused_intents": _count_events(log_path, "intent refused"),
        "warnings": _count_events(log_path, None, level="warning"),
    }


def _trade(
    venue: VenueHost, probe: TickProbe, *, ticks: int, start_ms: int, workdir: Path
) -> float:
    """Start the bot, push ``ticks`` paced bars, stop it; the seconds the ticks took."""
    from bot.engine.live.runner import run_live
    from bot.engine.live.session import StopFlag
    from tests.support.settings import settings_for

    where = venue.endpoints()
    os.environ["BYBIT_API_KEY"] = where["key"]
    os.environ["BYBIT_API_SECRET"] = where["secret"]
    settings = settings_for(
        "exchange=bybit",
        f"exchange.rest_url={where['rest']}",
        f"exchange.ws_public_url={where['public']}",
        f"exchange.ws_private_url={where['private']}",
        "data.timeframe=1m",
        f"live.journal={workdir / 'journal.sqlite'}",
        "live.log_format=json",
        f"live.warmup_bars={HISTORY - 1}",
        f"risk.max_orders_per_minute={ORDERS_PER_MINUTE}",
    )
    strategy = AnswerEveryBar(probe)
    log_path = workdir / "live.log"
    settings = replace(
        settings, strategy=StrategySettings(strategy.name, params=(), build=lambda: strategy)
    )
    flag = StopFlag()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_live(settings, None, stop=flag)
        except BaseException as error:  # noqa: BLE001 -- handed to the main thread
            errors.append(error)

    bot = threading.Thread(target=run, name="live-bot", daemon=True)
    with log_path.open("w", encoding="utf-8") as log:
        saved, sys.stderr = sys.stderr, log
        try:
            bot.start()
            if not probe.wait_trading(bot, 30.0):
                raise SystemExit(f"the bot did not start trading: {errors}\n{_tail(log_path)}")
            for topic in (f"kline.1.{SYMBOL}", "wallet"):
                if not venue.wait_subscribed(topic, 10.0):
                    raise SystemExit(f"the bot did not subscribe to {topic}")
            started = time.perf_counter()
            for index in range(ticks):
                ts_ms = start_ms + index * MINUTE_MS
                probe.expect(ts_ms)
                venue.push(ts_ms, index)
                probe.settle(ts_ms, SETTLE_TIMEOUT_S, min_gap_s=MIN_GAP_S)
            elapsed = time.perf_counter() - started
        finally:
            flag.request("benchmark done")
            bot.join(30.0)
            sys.stderr = saved
    if errors:
        raise SystemExit(f"the bot failed: {errors[0]!r}\n{_tail(log_path)}")
    return elapsed


def _tail(log_path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of the bot's log (the file goes with the temporary dir)."""
    return "\n".join(log_path.read_text(encoding="utf-8").splitlines()[-lines:])


def _count_events(log_path: Path, name: str | None, *, level: str | None = None) -> int:
    """Log lines of event ``name`` (any if None) and ``level`` (any if None)."""
    count = 0
    for line in log_path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        item = json.loads(line)
        if (name is None or item.get("event") == name) and level in (None, item.get("level")):
            count += 1
    return count


def _numbers(table: object) -> dict[str, float]:
    """The numbers of one table of the figures."""
    if not isinstance(table, dict):
        raise TypeError(f"not a table of figures: {table!r}")
    return {str(k): float(v) for k, v in table.items() if isinstance(v, int | float)}


def summary(figures: dict[str, object]) -> str:
    """The result for people: the figures, where the time went, what was raised."""
    total = _numbers(figures["tick_to_order"])
    behind = _numbers(figures["ticks_behind_housekeeping"])
    collected = _numbers(figures["gc"])
    slowest = _numbers(figures["slowest_tick"])
    stages = figures["stages"]
    if not isinstance(stages, dict):
        raise TypeError(f"stages is not a table: {stages!r}")
    lines = [
        f"live tick-to-order over {figures['measured']:,} of {figures['ticks']:,} ticks "
        f"(beartype {'on' if figures['beartype_on'] else 'OFF'}, fake on loopback in a child "
        f"process, Nagle {'on' if figures['fake_nagle'] else 'off'} at the fake): "
        f"p50 {total['p50_us']:.0f} us, p90 {total['p90_us']:.0f} us, "
        f"p99 {total['p99_us']:.0f} us, max {total['max_us']:.0f} us",
        "  stages p50/p99 (us): "
        + ", ".join(
            f"{name} {spread['p50_us']:.0f}/{spread['p99_us']:.0f}"
            for name, spread in ((name, _numbers(v)) for name, v in stages.items())
        ),
        f"  {figures['rest_reads_per_tick']:.1f} REST reads inside the span; "
        f"{behind['count']:.0f} ticks arrived during housekeeping (max {behind['max_us']:.0f} us); "
        f"{collected['gen2_collections']:.0f} full collections (longest "
        f"{collected['gen2_max_pause_us']:.0f} us), "
        f"{collected['spans_with_a_10ms_pause']:.0f} spans with a GC pause >= 10 ms",
        "  slowest tick (us): "
        + ", ".join(f"{k.removesuffix('_us')} {v:.0f}" for k, v in slowest.items()),
        f"  ticks without an order: {figures['no_order']}; intents refused: "
        f"{figures['refused_intents']}; rate-limiter waits: {figures['rate_limit_waits']}; "
        f"{figures['ticks_per_s']:.0f} ticks/s on {figures['cpus']} CPUs "
        f"(load {figures['load_average_1m']:.1f})",
        "  raised for the run: risk.max_orders_per_minute="
        f"{figures['orders_per_minute_limit']}, client-side rate limits "
        f"x{figures['rate_limiter_scale']}, the fake's rate limits off",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--nagle", action="store_true", help="leave Nagle's algorithm on at the fake's HTTP side"
    )
    args = parser.parse_args()
    if args.ticks < 1:
        parser.error("--ticks must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        figures = measure(args.ticks, Path(tmp), nagle=args.nagle)
    print(summary(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    failed = [
        f"{key}={figures[key]}"
        for key in ("no_order", "not_received", "extra_orders", "refused_intents")
        if figures[key]
    ]
    if failed:
        print("FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
