"""The engine loop of a live run: a steady stream of events never starves the housekeeping."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain import Symbol
from bot.engine.live.bars import BarFeed
from bot.engine.live.logs import LiveLog
from bot.engine.live.road import build_live_road
from bot.engine.live.session import ALIVE_EVERY_S, LiveSession, StopFlag
from bot.exchange.bybit.stream import StreamError
from tests.support.churn import Churn
from tests.support.settings import bybit_settings_for

#: Seconds one event takes to handle in these tests (a bar: REST reads, an order).
HANDLING_S = 0.1


class Endless(LiveSession):
    """Every event handled brings the next one (the queue is never empty) and takes
    :data:`HANDLING_S` on the session's clock; the housekeeping is only counted."""

    def __init__(self, *args: object, stop_after: int, **kwargs: object) -> None:
        self.now = 0.0
        super().__init__(*args, monotonic=lambda: self.now, **kwargs)  # type: ignore[arg-type]
        self.handled = 0
        self.between: list[int] = []
        self._stop_after = stop_after

    def handle(self, event: object) -> None:
        self.handled += 1
        self.now += HANDLING_S
        self.road.events.put(event)  # type: ignore[arg-type]

    def housekeeping(self) -> None:
        self.between.append(self.handled)
        if len(self.between) >= self._stop_after:
            self.stop.request("enough")


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Endless]:
    """A session on a real road (nothing connected) whose queue never empties."""
    settings = bybit_settings_for(monkeypatch, tmp_path / "journal.sqlite")
    road = build_live_road(settings, run_id="Ltest")
    log = LiveLog("Ltest", stream=io.StringIO())
    feed = BarFeed(60_000, lambda limit: [])
    found = Endless(road, Churn("BTCUSDT"), feed, log, StopFlag(), stop_after=4)
    road.events.put(StreamError("public", "first event"))
    yield found
    road.close()


def test_housekeeping_runs_every_quarter_second_however_busy_the_queue(
    session: Endless,
) -> None:
    assert session.run() == "enough"
    assert session.symbol == Symbol("BTCUSDT")
    per_round = [b - a for a, b in zip(session.between, session.between[1:], strict=False)]
    # the event waited for, then handling for at most ALIVE_EVERY_S (the last one may run
    # over): not the 1000 events of a batch
    most = 1 + math.ceil(ALIVE_EVERY_S / HANDLING_S)
    assert per_round, session.between
    assert all(0 < n <= most for n in per_round), session.between


def test_a_stop_ends_the_batch_of_queued_events(session: Endless) -> None:
    def handle_then_stop(event: object) -> None:
        session.handled += 1
        session.road.events.put(event)  # type: ignore[arg-type]
        session.stop.request("signal SIGTERM")

    session.handle = handle_then_stop  # type: ignore[method-assign]
    assert session.run() == "signal SIGTERM"
    assert session.handled == 1


def test_drain_handles_what_was_queued_and_returns_however_busy_the_queue(
    session: Endless,
) -> None:
    session.road.events.put(StreamError("public", "second event"))
    session.drain()  # each handled event queues another: it must still return
    assert session.handled == 2
