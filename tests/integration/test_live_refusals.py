"""Refused live starts: nothing is traded, the reason is one readable line (or a report).

Each test starts its own fake Bybit and runs the real startup (``run_live``) against it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from bot.domain import Symbol
from bot.errors import ReconcileRefused, StartupRefused
from bot.execution.reconcile import DifferenceKind, ReconcileReport, ReconcileStatus
from tests.fakes import FakeBybit
from tests.fakes.faults import Fault
from tests.integration.live_support import (
    LiveBot,
    bars_from,
    history_start,
    live_settings,
    push_all,
    tap_stderr,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@contextmanager
def started_fake() -> Iterator[FakeBybit]:
    """A fake with five closed one-minute bars of BTCUSDT (and so a ticker)."""
    with FakeBybit(live_intervals=()) as fake:
        closes = ["65000", "65010", "65020", "65030", "65040"]
        push_all(fake, bars_from(history_start(5), closes))
        yield fake


def manual_buy(fake: FakeBybit, qty: str = "0.010") -> None:
    """A position opened by someone else (not one of the bot's link ids)."""
    from tests.fakes.clients import LoopbackHTTP

    http = LoopbackHTTP(base_url=fake.rest_url, api_key=fake.api_key, api_secret=fake.api_secret)
    http.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Market",
        qty=qty,
        orderLinkId="manual-1",
    )
    http.client.close()  # type: ignore[attr-defined]
    assert fake.venue.positions()


def test_a_position_the_journal_does_not_know_refuses_with_exit_3_and_a_report(
    tmp_path, monkeypatch
):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        manual_buy(fake)
        with pytest.raises(ReconcileRefused) as refused:
            LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
        assert not [o for o in fake.orders() if o["orderLinkId"] != "manual-1"]
    error = refused.value
    assert error.exit_code == 3
    report = error.report
    assert isinstance(report, ReconcileReport)
    assert report.status is ReconcileStatus.DIFFERS
    kinds = {d.kind for d in report.differences}
    assert DifferenceKind.POSITION_MISMATCH in kinds
    assert "long 0.01 " in str(error)
    assert "policy: refuse" in str(error)
    assert tap.events("refused")[0]["exit_code"] == 3
    assert not tap.events("trading")


def test_adopt_takes_the_exchange_as_truth_and_records_it(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        manual_buy(fake)
        bot = LiveBot.start(
            live_settings(fake, tmp_path, monkeypatch, "live.reconcile_policy=adopt"), tap
        )
        bot.stop()
        assert fake.venue.positions()[Symbol("BTCUSDT")].size == Decimal("0.010")
    assert any("lost fill" in str(e["done"]) for e in tap.events("reconcile policy"))
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        recorded = db.execute("SELECT order_link_id, qty FROM fills").fetchall()
    assert recorded == [("manual-1", "0.01")]


def test_flatten_closes_what_the_journal_does_not_know(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        manual_buy(fake)
        bot = LiveBot.start(
            live_settings(fake, tmp_path, monkeypatch, "live.reconcile_policy=flatten"), tap
        )
        bot.stop()
        assert not fake.venue.positions()
        closes = [o for o in fake.orders() if o["reduceOnly"]]
    assert len(closes) == 1
    assert closes[0]["side"] == "Sell"


@pytest.mark.failclosed
def test_an_unreadable_exchange_is_refused_even_under_adopt(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        fake.inject("/v5/execution/list", Fault.http_status(503), times=50)
        settings = live_settings(fake, tmp_path, monkeypatch, "live.reconcile_policy=adopt")
        with pytest.raises(ReconcileRefused) as refused:
            LiveBot.start(settings, tap)
        assert not fake.orders()
    assert refused.value.report.status is ReconcileStatus.UNKNOWN  # type: ignore[attr-defined]
    assert "could not be read" in str(refused.value)


@pytest.mark.failclosed
def test_a_clock_too_far_off_the_exchange_refuses_the_start(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        fake.set_clock_offset(-5_000)
        with pytest.raises(StartupRefused, match="ms off the exchange"):
            LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
        assert not fake.requests("/v5/position/set-leverage")
        assert not fake.orders()
    line = tap.events("refused")[0]["reason"]
    assert "guard.max_clock_skew_ms is 1000" in str(line)


@pytest.mark.failclosed
def test_instrument_rules_that_cannot_be_fetched_refuse_the_start(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        fake.inject("/v5/market/instruments-info", Fault.http_status(500), times=10)
        with pytest.raises(StartupRefused, match="trading rules of BTCUSDT"):
            LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
        assert not fake.requests("/v5/position/set-leverage")
        assert not fake.orders()


@pytest.mark.failclosed
def test_a_private_stream_that_cannot_connect_refuses_the_start(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    with started_fake() as fake:
        settings = live_settings(
            fake, tmp_path, monkeypatch, "exchange.ws_private_url=ws://127.0.0.1:9/v5/private"
        )
        with pytest.raises(StartupRefused, match="private stream cannot connect"):
            LiveBot.start(settings, tap)
        assert not fake.orders()
