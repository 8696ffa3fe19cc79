"""A ticker book written by a stream thread while entries are prepared: every entry is
sized from the ticker its guards checked.

The stream thread writes, as fast as it can, a good ticker (last = mark = 50,000) and
a bad print (last 40,000, 2,000 bps from the mark: the price band blocks it) into the
live :class:`~bot.engine.live.feeds.TickerBook`, while this thread submits entries of
200 USDT through the road the live run uses (the guards and the executor share one
:class:`~bot.guards.PinnedPrices` of the book). An entry is either blocked by the band
or sized on 50,000: 0.004 BTC. Sized from the bad print (the book moved between the
band's read and the sizing read) it would be 0.005 BTC.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from bot.domain import EntryIntent, Money, Price, Qty, Side, Ticker
from bot.engine.live.feeds import TickerBook
from bot.execution import Accepted, Rejected, Stage
from tests.support.road import BTC, START_MS, build_road, risk_settings

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(60)]

GOOD = Ticker(BTC, Price("50000"), Price("50000"), START_MS)
BAD = Ticker(BTC, Price("40000"), Price("50000"), START_MS)
WANTED = 20  # entries of each kind (accepted, blocked) before the run may stop
ATTEMPTS = 5_000


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads switch every microsecond, so the stream writes between any two reads."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_entries_under_a_moving_ticker_book_are_sized_from_the_checked_ticker(
    fast_switching: None,
) -> None:
    book = TickerBook()
    book.update(GOOD)
    road = build_road(
        price_source=book,
        risk=risk_settings(
            max_position_notional=Money(10_000_000),
            max_total_exposure=Money(10_000_000),
            max_orders_per_minute=10_000,
        ),
    )
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            book.update(BAD)
            book.update(GOOD)

    writer = threading.Thread(target=stream, daemon=True)
    writer.start()
    sized: list[Qty] = []
    blocked: list[Rejected] = []
    others: list[object] = []
    try:
        for _ in range(ATTEMPTS):
            result = road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(200)))
            if isinstance(result, Accepted):
                sized.append(result.qty)
            elif result.stage is Stage.GUARD and "price_band" in result.reason:
                blocked.append(result)
            else:
                others.append(result)
            if len(sized) >= WANTED and len(blocked) >= WANTED:
                break
    finally:
        stop.set()
        writer.join(10)
    assert set(sized) <= {Qty("0.004")}, f"sized from an unchecked print: {set(sized)}"
    assert others == []
    assert len(sized) >= WANTED, "the stream never let an entry through"
    assert len(blocked) >= WANTED, "the stream never moved the book between two entries"
    assert all(Decimal(r.numbers["price_band.last"]) == BAD.last_price for r in blocked)
