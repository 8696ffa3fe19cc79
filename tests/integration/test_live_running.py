"""A live run while it trades: streams that die, periodic reconciliation, stopping, and a
restart after the exchange forgot old executions.

Each test starts its own fake Bybit; the bot runs ``run_live`` on a thread with the real
pybit clients and a scripted strategy (intents planned per bar close).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from bot.domain import (
    Bar,
    EntryIntent,
    Money,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
)
from bot.risk import TradingState
from tests.fakes import FakeBybit
from tests.fakes.faults import Fault
from tests.integration.live_support import (
    MINUTE,
    ByClose,
    LiveBot,
    bars_from,
    history_start,
    live_settings,
    push_all,
    tap_stderr,
    with_strategy,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

BTC = Symbol("BTCUSDT")
HISTORY = ("65000", "65010", "65020", "65030", "65040")


def market_buy(qty: str = "0.010") -> EntryIntent:
    """A market entry of ``qty`` BTC."""
    return EntryIntent(BTC, Side.BUY, qty=Qty(qty))


@contextmanager
def fake_with_history(start_ms: int | None = None) -> Iterator[tuple[FakeBybit, int]]:
    """A fake with five closed bars; yields it and the start of the next bar."""
    start = history_start(40) if start_ms is None else start_ms
    with FakeBybit(live_intervals=()) as fake:
        push_all(fake, bars_from(start, HISTORY))
        yield fake, start + len(HISTORY) * MINUTE


def next_bars(start_ms: int, *closes: str) -> list[Bar]:
    """Bars after the history, opening at its last close."""
    return bars_from(start_ms, closes, first_open=HISTORY[-1])


def test_stop_cancels_resting_entries_and_keeps_the_position(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    resting = EntryIntent(
        BTC,
        Side.BUY,
        qty=Qty("0.010"),
        order_type=OrderType.LIMIT,
        limit_price=Price("64500"),
        time_in_force=TimeInForce.GTC,
    )
    strategy = ByClose({"65050": [market_buy(), resting]})
    with fake_with_history() as (fake, start):
        settings = live_settings(fake, tmp_path, monkeypatch, "live.on_stop=keep")
        bot = LiveBot.start(with_strategy(settings, strategy), tap)
        fake.push_bar("BTCUSDT", next_bars(start, "65050")[0])
        assert bot.wait_events("order", 2)
        bot.stop()
        statuses = {o["orderType"]: o["orderStatus"] for o in fake.orders()}
        position = fake.venue.positions()[BTC]
    assert statuses == {"Market": "Filled", "Limit": "Cancelled"}
    assert position.size == Decimal("0.010")
    cancelled = tap.events("entry cancelled")
    assert len(cancelled) == 1
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        rows = db.execute("SELECT order_link_id, reason FROM cancels").fetchall()
    assert rows == [(cancelled[0]["order_link_id"], "stop: resting entry cancelled")]


def test_a_silent_public_stream_blocks_entries_until_reconnected_and_resynced(
    tmp_path, monkeypatch
):
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [market_buy()]})
    with fake_with_history() as (fake, start):
        settings = live_settings(fake, tmp_path, monkeypatch, "guard.max_stream_silence_ms=1500")
        bot = LiveBot.start(with_strategy(settings, strategy), tap)
        session = bot.session
        assert session is not None
        assert bot.wait_events("entries allowed", 1)
        # the resync after the reconnect cannot read positions until the faults are cleared
        fake.inject("/v5/position/list", Fault.http_status(503), times=10_000)
        fake.ws_silence("public")
        assert bot.wait_events("entries blocked", 1)
        assert bot.wait_events("resync failed", 2)
        assert session.road.public.reconnects >= 1
        assert session.road.public.needs_resync
        probe = EntryIntent(BTC, Side.BUY, notional=Money("100"))
        blocks = session.road.guards.evaluate(probe)
        assert "stream_health" in [b.guard for b in blocks]
        fake.clear_faults()
        assert bot.wait(lambda: any(
            e["stream"] == "public" for e in tap.events("resynced")
        ), 15)  # fmt: skip
        assert bot.wait_events("entries allowed", 2)
        fake.push_bar("BTCUSDT", next_bars(start, "65050")[0])
        assert bot.wait_events("order", 1)
        bot.stop()
        assert len(fake.orders()) == 1
    blocked = tap.events("entries blocked")[0]
    assert "market stream silent" in str(blocked["why"])


def test_a_dropped_private_stream_is_resynced_through_rest(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [market_buy()]})
    with fake_with_history() as (fake, start):
        bot = LiveBot.start(
            with_strategy(live_settings(fake, tmp_path, monkeypatch), strategy), tap
        )
        assert bot.wait_events("entries allowed", 1)
        fake.ws_abort("private")
        assert bot.wait(lambda: any(
            e["stream"] == "private" for e in tap.events("resynced")
        ), 15)  # fmt: skip
        fake.push_bar("BTCUSDT", next_bars(start, "65050")[0])
        assert bot.wait_events("fill", 1)
        bot.stop()
    assert len(tap.events("fill")) == 1  # counted once, from whichever path came first


def test_periodic_reconciliation_halts_on_an_order_the_journal_does_not_know(tmp_path, monkeypatch):
    from tests.fakes.clients import LoopbackHTTP

    tap = tap_stderr(monkeypatch)
    with fake_with_history() as (fake, _):
        bot = LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
        session = bot.session
        assert session is not None
        http = LoopbackHTTP(
            base_url=fake.rest_url, api_key=fake.api_key, api_secret=fake.api_secret
        )
        http.place_order(
            category="linear",
            symbol="BTCUSDT",
            side="Buy",
            orderType="Limit",
            qty="0.010",
            price="64000",
            timeInForce="GTC",
            orderLinkId=f"{session.road.run_id}-999",
        )
        http.client.close()  # type: ignore[attr-defined]
        assert bot.wait_events("halted", 1, timeout=20)
        assert session.road.state.state is TradingState.HALTED
        bot.stop()
    halted = tap.events("halted")[0]
    assert "unknown open order" in str(halted["reason"])
    assert f"{session.road.run_id}-999" in str(halted["report"])
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        states = db.execute("SELECT state, reason FROM trading_states").fetchall()
    assert states[-1][0] == "halted"
    assert "periodic reconciliation" in states[-1][1]


def test_a_restart_does_not_demand_executions_the_exchange_no_longer_keeps(tmp_path, monkeypatch):
    first = ByClose({"65050": [market_buy()]})
    second = ByClose({"65300": [market_buy()]})
    start = history_start(300)
    with fake_with_history(start) as (fake, after):
        tap = tap_stderr(monkeypatch)
        settings = live_settings(fake, tmp_path, monkeypatch)
        bot = LiveBot.start(with_strategy(settings, first), tap)
        fake.push_bar("BTCUSDT", next_bars(after, "65050")[0])
        assert bot.wait_events("fill", 1)
        bot.stop()
        # three hours later (venue time) the bot buys again
        later = after + 180 * MINUTE
        tap = tap_stderr(monkeypatch)
        bot = LiveBot.start(with_strategy(settings, second), tap)
        fake.push_bar("BTCUSDT", next_bars(later, "65300")[0])
        assert bot.wait_events("fill", 1)
        bot.stop()
        with fake.lock:  # Bybit's history ends: the first run's execution is gone
            newest = max(int(str(e["execTime"])) for e in fake.desk.executions)
            fake.desk.executions[:] = [
                e for e in fake.desk.executions if int(str(e["execTime"])) >= newest - 3_600_000
            ]
        assert len(fake.desk.executions) == 1
        tap = tap_stderr(monkeypatch)
        bot = LiveBot.start(settings, tap)
        bot.stop()
        assert fake.venue.positions()[BTC].size == Decimal("0.020")
    reconciled = tap.events("reconciled")[0]
    assert reconciled["status"] == "agrees"
