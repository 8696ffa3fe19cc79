"""A scripted live session and its parity with a backtest over the same bars.

The bot (``run_live`` with the real pybit clients) trades a 2/4 EMA cross against the
fake Bybit while the test replays bars as confirmed klines; then it is stopped as a
signal would stop it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bot.data import Candles
from bot.domain import Bar, Symbol
from bot.engine.assemble import build_sim_road
from bot.engine.backtest import run_backtest
from bot.strategy.base import Strategy
from tests.fakes import FakeBybit
from tests.integration.live_support import (
    STRATEGY,
    LiveBot,
    bars_from,
    history_start,
    live_settings,
    push_all,
    tap_stderr,
)
from tests.support.settings import settings_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

#: Five warm-up bars rising (no cross), then a fall, a rise, a fall and a quiet end.
WARMUP = ("65000", "65010", "65020", "65030", "65040")
LIVE = (
    "64900", "64850", "64800", "65100", "65300", "65350", "65000", "64700", "64650", "64640",
)  # fmt: skip


def session_bars() -> tuple[list[Bar], list[Bar]]:
    """The warm-up history and the live bars, one minute apart, each opening at the
    previous close."""
    every = bars_from(history_start(len(WARMUP) + len(LIVE)), [*WARMUP, *LIVE])
    return every[: len(WARMUP)], every[len(WARMUP) :]


def backtest_orders(bars: Sequence[Bar]) -> list[tuple[str, str, bool]]:
    """(side, qty, reduce_only) of every order the backtest road sends over ``bars``."""
    settings = settings_for("data.timeframe=1m", *STRATEGY)
    candles = Candles(
        np.array([b.ts_ms for b in bars], dtype=np.int64),
        *(
            np.array([float(getattr(b, name)) for b in bars], dtype=np.float64)
            for name in ("open", "high", "low", "close", "volume")
        ),
    )
    road = build_sim_road(settings, run_id="parity", start_ms=bars[0].ts_ms)
    strategy = settings.strategy.build()
    assert isinstance(strategy, Strategy)
    exchange = settings.exchange
    run_backtest(
        road,
        strategy,
        candles,
        symbol=Symbol("BTCUSDT"),
        timeframe="1m",
        tick=Decimal("0.1"),
        initial=Decimal(getattr(exchange, "initial_balance", 10_000)),
    )
    return [(o.request.side.value, str(o.request.qty), o.request.reduce_only)
            for o in road.venue.accepted_log]  # fmt: skip


def fake_orders(fake: FakeBybit) -> list[tuple[str, str, bool]]:
    """(side, qty, reduce_only) of every order the fake holds, oldest first."""
    return [(str(o["side"]), str(o["qty"]), bool(o["reduceOnly"])) for o in fake.orders()]


def run_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[FakeBybit, LiveBot, list[Bar]]:
    """Start a bot on a fresh fake with the warm-up history, replay the live bars,
    stop it; the fake (stopped), the bot and the bars."""
    history, live = session_bars()
    tap = tap_stderr(monkeypatch)
    with FakeBybit(live_intervals=()) as fake:
        push_all(fake, history)
        bot = LiveBot.start(live_settings(fake, tmp_path, monkeypatch, *extra), tap)
        for count, bar in enumerate(live, start=1):
            fake.push_bar("BTCUSDT", bar)
            assert bot.wait_events("bar", count), f"bar {count} was not handled"
        bot.stop()
    return fake, bot, history + live


def test_scripted_session_trades_journals_and_stops_cleanly(tmp_path, monkeypatch):
    fake, bot, _ = run_session(tmp_path, monkeypatch, "live.on_stop=flatten")
    tap = bot.tap
    names = [e["event"] for e in tap.events()]
    # startup in order, before anything is traded
    order = ["start", "clock checked", "instrument", "account ready", "reconciled",
             "subscribed", "warmed up", "trading"]  # fmt: skip
    assert [n for n in names if n in order] == order
    assert names.index("trading") < names.index("order")
    warmed = tap.events("warmed up")[0]
    assert warmed["bars"] == len(WARMUP)
    # every line carries the run id
    run_id = tap.events("start")[0]["run_id"]
    assert all(e["run_id"] == run_id for e in tap.events())
    orders = fake_orders(fake)
    entries = [o for o in orders if not o[2]]
    assert entries, "the strategy traded"
    # on_stop=flatten: the last order is a reduce-only close and the account ends flat
    assert orders[-1][2] is True
    assert not fake.venue.positions()
    assert tap.events("flat")
    # the journal holds every order the fake holds, every fill, and was closed cleanly
    journal = Path(bot.settings.live.journal)
    with sqlite3.connect(journal) as db:
        links = [r[0] for r in db.execute("SELECT order_link_id FROM intents ORDER BY seq")]
        fills = {r[0] for r in db.execute("SELECT exec_id FROM fills")}
    assert links == [o["orderLinkId"] for o in fake.orders()]
    assert fills == {str(e["execId"]) for e in fake.desk.executions}
    assert all(link.startswith(f"{run_id}-") for link in links)
    assert not Path(f"{journal}-wal").exists() or Path(f"{journal}-wal").stat().st_size == 0
    assert tap.events("journal closed")


def test_parity_live_orders_equal_the_backtest_orders(tmp_path, monkeypatch):
    fake, _, bars = run_session(tmp_path, monkeypatch, "live.on_stop=keep")
    expected = backtest_orders(bars)
    assert expected, "the bars make the strategy trade"
    assert fake_orders(fake) == expected
