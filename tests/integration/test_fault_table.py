"""The fault table: each fault of the fake exchange, hit by the running bot, and what the
bot did. One row per fault on the order path; the stream faults (closed and silent
sockets, a dropped private stream) are rows of ``test_live_running.py``.

Every row starts a fake Bybit and the live runner in-process (the real pybit clients),
lets a scripted strategy send one market buy of 0.010 BTC into the fault, and checks the
outcome on the exchange and in the journal. The invariant of every row: the order exists
on the exchange at most once (an ambiguous answer is looked up by ``orderLinkId``, never
resent), and the journal's fills are the exchange's executions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import EntryIntent, Qty, Side, Symbol
from tests.fakes import DROP, FakeBybit
from tests.fakes.faults import Fault, When
from tests.integration.live_support import ByClose, LiveBot, tap_stderr, with_strategy
from tests.integration.live_support import live_settings as settings_against
from tests.integration.test_live_running import fake_with_history, next_bars

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

BTC = Symbol("BTCUSDT")
CREATE = "/v5/order/create"


@dataclass(frozen=True)
class Row:
    """One fault and what the bot must have done about it."""

    name: str
    fault: Fault | None
    orders: int  # orders of ours on the exchange afterwards (never more than one)
    held: str  # BTC position afterwards
    did: str  # the log event that says what the bot did: "order" or "intent refused"


ROWS = [
    Row("5xx before the venue acted", Fault.http_status(502), 0, "0", "intent refused"),
    Row(
        "5xx after the venue acted",
        Fault.http_status(503, when=When.AFTER),
        1,
        "0.010",
        "order",
    ),
    Row("stall past the client timeout", Fault.stall(4.0), 1, "0.010", "order"),
    Row(
        "dropped connection before acting",
        Fault.drop_connection(when=When.BEFORE),
        0,
        "0",
        "intent refused",
    ),
    Row(
        "dropped connection after acting",
        Fault.drop_connection(when=When.AFTER),
        1,
        "0.010",
        "order",
    ),
    Row("non-JSON answer after acting", Fault.non_json(when=When.AFTER), 1, "0.010", "order"),
    Row("403 access denied", Fault.http_status(403), 0, "0", "intent refused"),
    Row("429 too many requests", Fault.http_status(429), 0, "0", "intent refused"),
    Row(
        "retCode 10016 server error",
        Fault.ret_code(10016, "Service error"),
        0,
        "0",
        "intent refused",
    ),
    Row(
        "retCode 10000 after acting",
        Fault.ret_code(10000, "Server Timeout", when=When.AFTER),
        1,
        "0.010",
        "order",
    ),
    Row("retCode 10006 rate limit (pybit waits)", Fault.rate_limited(300), 1, "0.010", "order"),
    Row(
        "answer missing orderId",
        Fault.edit({"result.orderId": DROP}),
        1,
        "0.010",
        "order",
    ),
    Row("fills on the stream before the ack", Fault.fills_before_ack(0.3), 1, "0.010", "order"),
    Row("partial fill, rest later", Fault.partial_fill(Decimal("0.004")), 1, "0.010", "order"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_fault_row(row: Row, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [EntryIntent(BTC, Side.BUY, qty=Qty("0.010"))]})
    with fake_with_history() as (fake, start):
        settings = settings_against(fake, tmp_path, monkeypatch)
        bot = LiveBot.start(with_strategy(settings, strategy), tap)
        assert bot.wait_events("entries allowed", 1)
        if row.fault is not None:
            fake.inject(CREATE, row.fault)
        fake.push_bar("BTCUSDT", next_bars(start, "65050")[0])
        assert bot.wait(lambda: bool(tap.events(row.did)), timeout=20), tap.text()[-3000:]
        if row.fault is not None and row.fault.kind.name == "PARTIAL_FILL":
            [order] = fake.orders()
            fake.fill_remainder(str(order["orderLinkId"]))
        expected_fills = _our_executions(fake)
        assert bot.wait(lambda: len(tap.events("fill")) == len(expected_fills), timeout=15)
        bot.stop()
        orders = fake.orders()
        position = fake.venue.positions().get(BTC)
    links = [str(o["orderLinkId"]) for o in orders]
    assert len(links) == row.orders, orders
    assert len(set(links)) == len(links)  # never the same order twice
    assert Decimal(row.held) == (Decimal(0) if position is None else position.size)
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        intents = [r[0] for r in db.execute("SELECT order_link_id FROM intents")]
        fills = sorted(r[0] for r in db.execute("SELECT exec_id FROM fills"))
    assert len(intents) == 1  # one intent written before the one send
    assert set(links) <= set(intents)
    assert fills == sorted(expected_fills)  # no lost fill, none counted twice
    print(f"FAULT | {row.name} | {row.did}: {_said(tap.events(row.did)[0])}")


def _our_executions(fake: FakeBybit) -> list[str]:
    with fake.lock:
        return [str(e["execId"]) for e in fake.desk.executions]


def _said(event: dict[str, object]) -> str:
    keys = ("status", "stage", "reason", "code")
    return ", ".join(f"{k}={event[k]}" for k in keys if k in event)
