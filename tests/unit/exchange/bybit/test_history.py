"""Kline history: the keyless client and the paged, deduplicated download (stubbed pybit)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import Symbol
from bot.errors import ExchangeError, MalformedResponse
from bot.exchange.bybit.codec import position_detail
from bot.exchange.bybit.history import KLINE_PAGE, klines_between, public_rest
from tests.unit.exchange.bybit.payloads import FLAT_POSITION, POSITION, envelope, fresh
from tests.unit.exchange.bybit.test_rest import StubHttp

BTC = Symbol("BTCUSDT")
MINUTE = 60_000
T = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def _row(ts: int, close: str = "100.5") -> list[str]:
    return [str(ts), "100", "101", "99", close, "2", "201"]


class KlineVenue:
    """``get_kline`` over a list of rows, answering like Bybit: newest first, in range."""

    def __init__(self, rows: list[list[str]], *, ignore_range: bool = False) -> None:
        self.rows = rows
        self.ignore_range = ignore_range
        self.asked: list[dict[str, Any]] = []

    def __call__(self, **kw: Any) -> dict[str, Any]:
        self.asked.append(kw)
        start, end, limit = kw["start"], kw["end"], kw["limit"]
        inside = [r for r in self.rows if self.ignore_range or start <= int(r[0]) <= end]
        inside.sort(key=lambda r: int(r[0]), reverse=True)
        return envelope({"symbol": "BTCUSDT", "category": "linear", "list": inside[:limit]})


def _rest(venue: KlineVenue) -> Any:
    return public_rest("http://127.0.0.1:1", http=StubHttp(get_kline=venue))


def test_pages_backwards_1000_at_a_time_and_answers_oldest_first() -> None:
    venue = KlineVenue([_row(T + i * MINUTE) for i in range(2500)])
    seen: list[int] = []
    bars, pages = klines_between(_rest(venue), BTC, "1", T, T + 2499 * MINUTE, on_page=seen.append)
    assert pages == 3
    assert seen == [1000, 1000, 500]
    assert [b.ts_ms for b in bars] == [T + i * MINUTE for i in range(2500)]
    assert [a["limit"] for a in venue.asked] == [KLINE_PAGE] * 3
    assert venue.asked[0]["end"] == T + 2499 * MINUTE
    assert venue.asked[1]["end"] == T + 1500 * MINUTE - 1
    assert all(a["start"] == T for a in venue.asked)


def test_an_exact_multiple_of_the_page_ends_on_reaching_the_start() -> None:
    venue = KlineVenue([_row(T + i * MINUTE) for i in range(2000)])
    bars, pages = klines_between(_rest(venue), BTC, "1", T, T + 1999 * MINUTE)
    assert (len(bars), pages) == (2000, 2)


def test_an_empty_range_asks_nothing() -> None:
    venue = KlineVenue([])
    assert klines_between(_rest(venue), BTC, "1", T, T - 1) == ([], 0)
    assert venue.asked == []


@pytest.mark.failclosed
def test_a_candle_outside_the_asked_range_is_refused() -> None:
    venue = KlineVenue([_row(T - MINUTE), _row(T)], ignore_range=True)
    with pytest.raises(MalformedResponse, match="start"):
        klines_between(_rest(venue), BTC, "1", T, T + MINUTE)


@pytest.mark.failclosed
def test_one_start_twice_in_a_page_is_refused() -> None:
    venue = KlineVenue([_row(T + MINUTE), _row(T), _row(T, close="100.9")])
    with pytest.raises(MalformedResponse, match="sorted newest first"):
        klines_between(_rest(venue), BTC, "1", T, T + MINUTE)


@pytest.mark.failclosed
def test_a_venue_that_never_stops_paging_is_refused() -> None:
    def answer(**kw: Any) -> dict[str, Any]:
        # always a full page inside the range, but only a second's worth of progress
        top = kw["end"]
        return envelope({"list": [_row(top - i) for i in range(KLINE_PAGE)]})

    stub = StubHttp(get_kline=answer)
    rest = public_rest("http://127.0.0.1:1", http=stub)
    with pytest.raises(ExchangeError, match="refusing a partial history"):
        klines_between(rest, BTC, "1", T, T + 1500 * MINUTE)
    assert len(stub.calls) == 3, "1,500 minutes fit in 2 pages: 3 is the most asked"


@pytest.mark.failclosed
def test_an_unknown_interval_is_refused_before_asking() -> None:
    venue = KlineVenue([])
    with pytest.raises(ExchangeError, match="cannot be paged"):
        klines_between(_rest(venue), BTC, "M", T, T + MINUTE)
    assert venue.asked == []


def test_the_public_client_holds_no_key_and_cannot_sign() -> None:
    rest = public_rest("http://127.0.0.1:1/")
    assert rest.rest_url == "http://127.0.0.1:1"
    # pybit refuses a private call client-side when it has no key: nothing is sent
    with pytest.raises(PermissionError, match="require keys"):
        rest.balance()
    rest.close()


def test_position_detail_reads_mark_pnl_liq_and_leverage() -> None:
    item = fresh(POSITION)
    item.update(liqPrice="58000.5", unrealisedPnl="-1.25")
    detail = position_detail(item, "GET /v5/position/list")
    assert detail is not None
    assert (str(detail.mark_price), str(detail.unrealised_pnl)) == ("65000", "-1.25")
    assert (str(detail.liq_price), str(detail.leverage)) == ("58000.5", "10")
    assert str(detail.position.size) == "0.010"


def test_position_detail_leaves_empty_figures_out() -> None:
    item = fresh(POSITION)
    item.update(liqPrice="", unrealisedPnl="", markPrice="")
    detail = position_detail(item, "GET /v5/position/list")
    assert detail is not None
    assert (detail.mark_price, detail.unrealised_pnl, detail.liq_price) == (None, None, None)
    assert position_detail(fresh(FLAT_POSITION), "GET /v5/position/list") is None


@pytest.mark.failclosed
def test_position_detail_refuses_a_bad_number() -> None:
    item = fresh(POSITION)
    item.update(markPrice="NaN")
    with pytest.raises(MalformedResponse, match="markPrice"):
        position_detail(item, "GET /v5/position/list")
