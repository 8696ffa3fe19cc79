"""The executor fails closed: no price, no rules, no portfolio, a raising check: no order.

Each test counts what reached the venue through a :class:`VenueProxy` and the sim's own
``accepted_log``; a refusal must be a typed :class:`Rejected` naming the stage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from bot.domain import (
    MAX_BATCH,
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Instrument,
    Intent,
    Money,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
)
from bot.exchange.protocol import Balance
from bot.exchange.sim import SimExchange
from bot.execution import Accepted, Executor, Rejected, Stage
from bot.guards import Block, GuardChain
from bot.risk import PortfolioSnapshot, RiskDecision, RiskEngine
from tests.support.road import (
    BTC,
    BTC_RULES,
    ETH,
    ETH_RULES,
    START_MS,
    Road,
    VenueProxy,
    build_road,
)

pytestmark = pytest.mark.failclosed

XRP = Symbol("XRPUSDT")
XRP_RULES = Instrument(
    XRP, Price("0.0001"), Qty("1"), Qty("1"), Qty("1000000"), Qty("100000"), Money(5)
)


def buy(notional: str = "1000", symbol: Symbol = BTC) -> EntryIntent:
    """A market buy sized by notional."""
    return EntryIntent(symbol, Side.BUY, notional=Money(notional))


def assert_nothing_sent(road: Road) -> None:
    """No request was handed to the venue, and the venue accepted none."""
    assert road.gateway.calls["submit"] == 0
    assert road.gateway.calls["submit_batch"] == 0
    assert road.gateway.sent == []
    assert road.venue.accepted_log == []


def rejected_at(result: Accepted | Rejected, *stages: Stage) -> Rejected:
    """``result`` as a Rejected at one of ``stages``, with a reason and numbers."""
    assert isinstance(result, Rejected), f"expected a rejection, got {result}"
    assert result.stage in stages, str(result)
    assert result.reason.strip()
    assert result.numbers
    return result


# ---- sizing without a trustworthy price ---------------------------------------------


def _none(symbol: Symbol) -> Ticker | None:
    return None


def _built_from(raw: str) -> Callable[[Symbol], Ticker | None]:
    def ticker(symbol: Symbol) -> Ticker | None:
        return Ticker(symbol, Price(raw), Price(raw), 1_700_000_000_000)  # raises for bad raw

    return ticker


def _raising(symbol: Symbol) -> Ticker | None:
    raise TimeoutError("ticker request timed out")


BAD_PRICES = [
    pytest.param(_none, id="None"),
    pytest.param(_built_from("NaN"), id="NaN"),
    pytest.param(_built_from("0"), id="zero"),
    pytest.param(_built_from("-1"), id="negative"),
    pytest.param(_built_from(""), id="empty"),
    pytest.param(_raising, id="raising"),
]


class ScriptedPrices:
    """A price source (for the guards) answering with ``answer``."""

    def __init__(self, answer: Callable[[Symbol], Ticker | None]) -> None:
        self.answer = answer

    def ticker(self, symbol: Symbol) -> Ticker | None:
        return self.answer(symbol)


def _gateway_pricing_with(
    answer: Callable[[Symbol], Ticker | None],
) -> Callable[[SimExchange], VenueProxy]:
    class BadTicker(VenueProxy):
        def ticker(self, symbol: Symbol) -> Ticker | None:
            self.calls["ticker"] += 1
            return answer(symbol)

    return BadTicker


@pytest.mark.parametrize("answer", BAD_PRICES)
def test_sizing_without_a_valid_price_is_a_validation_rejection(
    answer: Callable[[Symbol], Ticker | None],
) -> None:
    # the guards see a healthy feed; only the price the executor sizes with is bad
    road = build_road(gateway=_gateway_pricing_with(answer))
    result = rejected_at(road.executor.submit(buy()), Stage.VALIDATION)
    assert "cannot price or size" in result.reason or "ticker" in result.reason
    assert_nothing_sent(road)


@pytest.mark.parametrize("answer", BAD_PRICES)
def test_a_bad_price_everywhere_is_stopped_by_the_guards(
    answer: Callable[[Symbol], Ticker | None],
) -> None:
    road = build_road(
        price_source=ScriptedPrices(answer),
        gateway=_gateway_pricing_with(answer),
    )
    result = rejected_at(road.executor.submit(buy()), Stage.GUARD, Stage.VALIDATION)
    assert result.stage is Stage.GUARD
    assert "feed_freshness" in result.reason
    assert "price_band" in result.reason
    assert_nothing_sent(road)


def test_an_entry_is_sized_from_the_price_the_guards_checked_not_from_another_read() -> None:
    # The guards' source (a live run's ticker book) says 50,000 and passes every guard;
    # the venue's own ticker says 1. Sized from the venue's read, 1,000 USDT would be
    # 1,000 BTC (refused only by the venue's max qty); from the checked price it is 0.02.
    road = build_road(
        price_source=ScriptedPrices(_built_from("50000")),
        gateway=_gateway_pricing_with(_built_from("1")),
    )
    result = road.executor.submit(buy("1000"))
    assert isinstance(result, Accepted), str(result)
    assert result.qty == Qty("0.02")
    assert road.gateway.calls["ticker"] == 0
    assert road.executor.price_source is not road.gateway


class MovingBook:
    """A ticker book the stream writes to: ``now`` is its latest ticker."""

    def __init__(self, now: Ticker) -> None:
        self.now = now
        self.reads = 0

    def ticker(self, symbol: Symbol) -> Ticker | None:
        self.reads += 1
        return self.now


def _print_after_the_guards(book: MovingBook, late: Ticker) -> Callable[..., GuardChain]:
    """A chain after which the stream writes ``late`` into ``book``, once: the worst
    moment, when every guard has passed and the entry is not sized yet."""

    class Chain(GuardChain):
        def evaluate(self, intent: Intent) -> list[Block]:
            blocks = super().evaluate(intent)
            if book.now is not late:
                book.now = late
            return blocks

    return Chain


def _ticker(last: str, mark: str) -> Ticker:
    return Ticker(BTC, Price(last), Price(mark), START_MS)


def _sized_in_a_moving_book(road: Road, book: MovingBook) -> tuple[Qty, Qty]:
    first = road.executor.submit(buy("1000"))
    second = road.executor.submit(buy("1000"))
    assert isinstance(first, Accepted), str(first)
    assert isinstance(second, Accepted), str(second)
    return first.qty, second.qty


def test_an_entry_is_sized_from_the_ticker_its_guards_checked_though_the_book_moved() -> None:
    # The guards pass on 50,000; then, before sizing, a print of 40,000 lands (last =
    # mark, so a band on the last against the mark sees nothing wrong with it later).
    # Sized from the newer print, 1,000 USDT would quietly become 0.025 BTC, 25% more
    # than the checked price gives. The entry is sized from what the guards checked,
    # 0.02; the next entry is checked and sized on the new print, 0.025.
    book = MovingBook(_ticker("50000", "50000"))
    late = _ticker("40000", "40000")
    road = build_road(price_source=book, chain_class=_print_after_the_guards(book, late))
    assert _sized_in_a_moving_book(road, book) == (Qty("0.02"), Qty("0.025"))
    assert road.gateway.calls["ticker"] == 0


class _Unpinned(Executor):
    """Fail-open mutant: prepares without holding the price source, each read live."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pinned = None


def test_the_moving_book_test_catches_an_executor_that_does_not_hold_the_prices() -> None:
    book = MovingBook(_ticker("50000", "50000"))
    late = _ticker("40000", "40000")
    road = build_road(price_source=book, chain_class=_print_after_the_guards(book, late))
    held = road.executor
    mutant = _Unpinned(
        road.gateway, held._guards, held._risk, held._state, run_id="mutant", prices=held._prices
    )
    road = dataclasses.replace(road, executor=mutant)
    assert _sized_in_a_moving_book(road, book) == (Qty("0.025"), Qty("0.025"))


@pytest.mark.parametrize("answer", BAD_PRICES)
def test_with_no_valid_price_from_the_checked_source_the_executor_itself_refuses(
    answer: Callable[[Symbol], Ticker | None],
) -> None:
    # no guard at all: the executor's own read of the checked source must refuse, even
    # though the venue it sends to has a healthy price
    road = build_road(price_source=ScriptedPrices(answer), chain_class=lambda _: GuardChain(()))
    result = rejected_at(road.executor.submit(buy()), Stage.VALIDATION)
    assert "cannot price or size" in result.reason
    assert_nothing_sent(road)


@pytest.mark.parametrize("answer", BAD_PRICES)
def test_a_batch_with_no_valid_price_sends_nothing(
    answer: Callable[[Symbol], Ticker | None],
) -> None:
    road = build_road(gateway=_gateway_pricing_with(answer))
    results = road.executor.submit_batch(BatchIntent((buy(), buy("2000"))))
    assert [rejected_at(r, Stage.VALIDATION).stage for r in results] == [Stage.VALIDATION] * 2
    assert road.gateway.sent == []
    assert road.venue.accepted_log == []


# ---- raising checks ---------------------------------------------------------------


class RaisingRisk(RiskEngine):
    """A risk engine whose check raises instead of answering."""

    def check_entry(
        self, intent: EntryIntent, notional: Money, snapshot: PortfolioSnapshot
    ) -> RiskDecision:
        raise ArithmeticError("division by zero in a limit")


class RaisingChain(GuardChain):
    """A guard chain that raises instead of answering."""

    def evaluate(self, intent: Intent) -> list[Block]:
        raise RuntimeError("guard chain corrupted")


def test_a_raising_risk_engine_is_a_risk_rejection_and_no_order() -> None:
    road = build_road(risk_class=RaisingRisk)
    result = rejected_at(road.executor.submit(buy()), Stage.RISK)
    assert "risk engine failed: ArithmeticError" in result.reason
    assert result.numbers == {"error": "ArithmeticError"}
    assert_nothing_sent(road)


def test_a_raising_guard_chain_is_a_guard_rejection_and_no_order() -> None:
    road = build_road(chain_class=RaisingChain)
    result = rejected_at(road.executor.submit(buy()), Stage.GUARD)
    assert "guard chain failed: RuntimeError" in result.reason
    assert_nothing_sent(road)


class NoInstrument(VenueProxy):
    """The venue's instrument endpoint fails."""

    def instrument(self, symbol: Symbol) -> Instrument:
        self.calls["instrument"] += 1
        raise ConnectionError("instruments-info unreachable")


class NoPositions(VenueProxy):
    """The venue's position endpoint fails."""

    def positions(self) -> dict[Symbol, Position]:
        self.calls["positions"] += 1
        raise ConnectionError("position list unreachable")


class NoBalance(VenueProxy):
    """The venue's wallet endpoint fails."""

    def balance(self) -> Balance:
        self.calls["balance"] += 1
        raise TimeoutError("wallet-balance timed out")


@pytest.mark.parametrize(
    "intent", [pytest.param(buy(), id="entry"), pytest.param(CloseIntent(BTC), id="close")]
)
def test_unknown_instrument_rules_send_nothing(intent: Intent) -> None:
    road = build_road(gateway=NoInstrument)
    road.open_position(BTC, Side.BUY, "0.010")
    result = rejected_at(road.executor.submit(intent), Stage.VALIDATION)
    assert "ConnectionError" in result.reason
    assert road.gateway.sent == []
    assert road.executor_requests() == []


def test_unknown_positions_during_a_close_send_nothing() -> None:
    road = build_road(gateway=NoPositions)
    road.open_position(BTC, Side.BUY, "0.010")
    result = rejected_at(road.executor.submit(CloseIntent(BTC)), Stage.VALIDATION)
    assert "live position unavailable" in result.reason
    assert road.gateway.sent == []
    assert road.executor_requests() == []
    position = road.position(BTC)
    assert position is not None
    assert position.size == Qty("0.010")


@pytest.mark.parametrize("gateway", [NoPositions, NoBalance])
def test_an_unknown_portfolio_is_a_risk_rejection_for_entries(
    gateway: type[VenueProxy],
) -> None:
    road = build_road(gateway=gateway)
    result = rejected_at(road.executor.submit(buy()), Stage.RISK)
    assert "portfolio snapshot unavailable" in result.reason
    assert_nothing_sent(road)


# ---- batches with invalid members ---------------------------------------------------


def test_a_batch_answers_every_item_in_order_and_drops_nothing() -> None:
    road = build_road(
        instruments=(BTC_RULES, ETH_RULES, XRP_RULES),
        prices={BTC: "60000", ETH: "3000", XRP: "0.5"},
    )
    road.open_position(ETH, Side.SELL, "2")
    far = EntryIntent(
        BTC,
        Side.BUY,
        notional=Money(1_000),
        order_type=OrderType.LIMIT,
        limit_price=Price("30000"),
        time_in_force=TimeInForce.GTC,
    )
    items: tuple[Intent, ...] = (
        buy("1000"),  # valid
        buy("1"),  # 1 / 60,000 rounds to 0 contracts
        buy("4.9", XRP),  # 9 XRP at 0.5 = 4.5 < min notional 5
        far,  # limit 50% below the market
        CloseIntent(BTC),  # flat at preparation: the BTC buy is not filled yet
        CloseIntent(ETH, Qty("0.5")),  # valid close of half the short
        EntryIntent(ETH, Side.SELL, qty=Qty("0.5")),  # valid
    )
    results = road.executor.submit_batch(BatchIntent(items))
    assert len(results) == len(items)
    assert [r.accepted for r in results] == [True, False, False, False, False, True, True]
    stages = [r.stage for r in results if isinstance(r, Rejected)]
    assert stages == [Stage.VALIDATION, Stage.VALIDATION, Stage.GUARD, Stage.VALIDATION]
    assert "less than one qty step" in results[1].reason  # type: ignore[union-attr]
    assert "minimum notional" in results[2].reason  # type: ignore[union-attr]
    assert results[2].numbers["min_notional"] == "5"  # type: ignore[union-attr]
    assert "price_band" in results[3].reason  # type: ignore[union-attr]
    assert "no open position in BTCUSDT" in results[4].reason  # type: ignore[union-attr]
    accepted = [r for r in results if isinstance(r, Accepted)]
    assert [(a.symbol, a.side, a.reduce_only) for a in accepted] == [
        (BTC, Side.BUY, False),
        (ETH, Side.BUY, True),
        (ETH, Side.SELL, False),
    ]
    sent = road.executor_requests()
    assert [r.order_link_id for r in sent] == [a.order_link_id for a in accepted]
    assert road.gateway.calls["submit_batch"] == 1


def test_a_batch_larger_than_the_venue_limit_is_split_into_chunks() -> None:
    road = build_road()
    items = tuple(buy(str(100 + n)) for n in range(2 * MAX_BATCH + 3))
    results = road.executor.submit_batch(BatchIntent(items))
    assert len(results) == len(items)
    assert all(r.accepted for r in results), [str(r) for r in results if not r.accepted]
    assert [r.order_link_id for r in results] == [f"test-{n + 1}" for n in range(len(items))]
    assert road.gateway.calls["submit_batch"] == 3
    assert road.venue.accepted_count == len(items)


def test_invalid_members_spread_over_chunks_stay_aligned() -> None:
    road = build_road()
    items = tuple(buy("1") if n % 4 == 0 else buy("200") for n in range(25))
    results = road.executor.submit_batch(BatchIntent(items))
    assert [r.accepted for r in results] == [n % 4 != 0 for n in range(25)]
    assert all(
        isinstance(r, Rejected) and r.stage is Stage.VALIDATION
        for n, r in enumerate(results)
        if n % 4 == 0
    )
    assert road.venue.accepted_count == 18
    assert road.gateway.calls["submit_batch"] == 2  # 18 valid items: chunks of 10 and 8
