"""The book a live run starts from: consistent with the venue, or no start at all.

A: under ``reconcile_policy=flatten`` the close sent before the session begins is in
the position the trade book is seeded from, so it is not counted again as a round trip.
B: a position or balance that cannot be read when the session begins refuses the start
(no order is sent), instead of trading on an empty book.
"""

from __future__ import annotations

import pytest

from bot.domain import CloseIntent
from bot.engine.live.session import LiveSession
from bot.errors import StartupRefused
from tests.fakes.faults import Fault
from tests.integration.live_support import (
    ByClose,
    LiveBot,
    live_settings,
    tap_stderr,
    with_strategy,
)
from tests.integration.operator_helpers import recover
from tests.integration.test_live_refusals import manual_buy
from tests.integration.test_live_running import BTC, fake_with_history, market_buy, next_bars

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def test_the_flatten_close_before_the_start_is_not_a_round_trip(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [market_buy()], "65060": [CloseIntent(BTC)]})
    with fake_with_history() as (fake, start):
        manual_buy(fake)  # a position the (empty) journal cannot explain
        settings = live_settings(fake, tmp_path, monkeypatch, "live.reconcile_policy=flatten")
        bot = LiveBot.start(with_strategy(settings, strategy), tap)
        session = bot.session
        assert session is not None
        assert not fake.venue.positions(), "flattened before the session began"
        assert session.trades.size == 0
        assert bot.wait_events("entries allowed", 1)
        for bar in next_bars(start, "65050", "65060"):  # one round trip: buy, then close
            fake.push_bar("BTCUSDT", bar)
        assert bot.wait_events("trade closed", 1)
        assert bot.wait_events("bar", 2)
        size = session.trades.size
        bot.stop()
        venue_flat = not fake.venue.positions()
    assert venue_flat
    assert size == 0, "the trade book agrees with the venue"
    closed = tap.events("trade closed")
    assert [(e["side"], e["qty"]) for e in closed] == [("Buy", "0.01")], closed
    started = tap.events("position at start")
    assert [(e["position"], e["fills_before"]) for e in started] == [("flat", 2)], started
    # the flatten close is journaled (as the manual buy the policy recorded)
    assert len(recover(tmp_path / "journal.sqlite").fill_ids) == 4


@pytest.mark.failclosed
@pytest.mark.parametrize("path", ["/v5/position/list", "/v5/account/wallet-balance"])
def test_a_book_that_cannot_be_read_at_begin_refuses_the_start(path, tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    original = LiveSession.begin
    with fake_with_history() as (fake, _):

        def begin_on_a_failing_venue(self: LiveSession, window_start_ms: int) -> None:
            fake.inject(path, Fault.http_status(503), times=10_000)
            original(self, window_start_ms)

        monkeypatch.setattr(LiveSession, "begin", begin_on_a_failing_venue)
        strategy = ByClose({})
        settings = with_strategy(live_settings(fake, tmp_path, monkeypatch), strategy)
        with pytest.raises(StartupRefused, match="position or balance at start cannot be read"):
            LiveBot.start(settings, tap)
        assert fake.requests("/v5/order/create") == []
    assert tap.events("trading") == []
