"""Entries along the whole road: sizing, rounding, link ids, and why each refusal happened."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import (
    EntryIntent,
    Instrument,
    Money,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    TriggerDirection,
)
from bot.exchange.sim import BELOW_MIN_NOTIONAL, INSUFFICIENT_BALANCE, SimSettings
from bot.execution import Accepted, Rejected, Stage
from bot.guards import GuardChain
from bot.risk import TradingState
from tests.support.road import (
    BTC,
    BTC_RULES,
    ETH,
    ETH_RULES,
    VenueProxy,
    build_road,
    risk_settings,
)

XRP = Symbol("XRPUSDT")
XRP_RULES = Instrument(
    XRP, Price("0.0001"), Qty("1"), Qty("1"), Qty("1000000"), Qty("100000"), Money(5)
)


def buy(notional: int | str = 1_000, symbol: Symbol = BTC) -> EntryIntent:
    """A market buy sized by notional."""
    return EntryIntent(symbol, Side.BUY, notional=Money(notional))


def limit(side: Side, price: str, *, notional: int = 1_000) -> EntryIntent:
    """A resting (GTC) limit entry on BTCUSDT."""
    return EntryIntent(
        BTC,
        side,
        notional=Money(notional),
        order_type=OrderType.LIMIT,
        limit_price=Price(price),
        time_in_force=TimeInForce.GTC,
    )


def accepted(result: Accepted | Rejected) -> Accepted:
    """``result`` as an Accepted, or fail showing the rejection."""
    assert isinstance(result, Accepted), str(result)
    return result


def rejected(result: Accepted | Rejected) -> Rejected:
    """``result`` as a Rejected, or fail showing what was accepted."""
    assert isinstance(result, Rejected), f"expected a rejection, got {result}"
    return result


# ---- sizing -------------------------------------------------------------------------


def test_an_entry_by_notional_buys_the_largest_step_qty_within_the_notional() -> None:
    road = build_road()
    result = accepted(road.executor.submit(buy(1_000)))
    # 1,000 / 60,000 = 0.01666.. -> 0.016 on the 0.001 grid; 0.017 would cost 1,020
    assert result.qty == Decimal("0.016")
    (request,) = road.executor_requests()
    assert request.qty * Decimal(60_000) <= 1_000
    assert request.reduce_only is False
    assert road.position(BTC) is not None


def test_an_entry_by_qty_sends_exactly_that_qty() -> None:
    road = build_road()
    result = accepted(road.executor.submit(EntryIntent(ETH, Side.SELL, qty=Qty("1.25"))))
    assert (result.qty, result.side) == (Decimal("1.25"), Side.SELL)
    position = road.position(ETH)
    assert position is not None
    assert (position.side, position.size) == (Side.SELL, Decimal("1.25"))


def test_an_entry_by_qty_off_the_step_grid_is_refused_not_rounded() -> None:
    road = build_road()
    result = rejected(road.executor.submit(EntryIntent(ETH, Side.BUY, qty=Qty("1.255"))))
    assert result.stage is Stage.VALIDATION
    assert "qty_step" in result.reason or "0.01" in result.reason
    assert road.gateway.calls["submit"] == 0


@pytest.mark.parametrize(
    ("side", "asked", "sent"),
    [
        pytest.param(Side.BUY, "59950.07", "59950.0", id="buy-rounds-down"),
        pytest.param(Side.BUY, "59950.0", "59950.0", id="buy-on-tick-unchanged"),
        pytest.param(Side.SELL, "60050.01", "60050.1", id="sell-rounds-up"),
        pytest.param(Side.SELL, "60050.1", "60050.1", id="sell-on-tick-unchanged"),
    ],
)
def test_limit_prices_round_to_the_tick_never_more_aggressive(
    side: Side, asked: str, sent: str
) -> None:
    road = build_road()
    accepted(road.executor.submit(limit(side, asked)))
    (request,) = road.executor_requests()
    assert request.price == Decimal(sent)
    assert request.price % BTC_RULES.tick_size == 0


def test_a_limit_entry_is_sized_at_its_rounded_limit_price() -> None:
    road = build_road()
    accepted(road.executor.submit(limit(Side.BUY, "59999.99", notional=6_000)))
    (request,) = road.executor_requests()
    # sized at 59,999.9: 6,000 / 59,999.9 = 0.100000.. -> 0.1
    assert request.qty == Decimal("0.1")
    assert request.qty * request.price <= 6_000  # type: ignore[operator]


@pytest.mark.parametrize(
    ("price", "qty"),
    [
        # below the market (last 60,000): it fills at the market, so it is sized there;
        # sized at its limit it would be 0.170 BTC, 10,200 USDT at the fill, above the
        # 10,000 the risk check approved
        pytest.param("58800", "0.166", id="below-market-sized-at-last"),
        pytest.param("61000", "0.163", id="above-market-sized-at-limit"),
    ],
)
def test_a_sell_limit_is_sized_at_the_higher_of_its_limit_and_the_last_price(
    price: str, qty: str
) -> None:
    road = build_road()
    result = accepted(road.executor.submit(limit(Side.SELL, price, notional=10_000)))
    assert result.qty == Decimal(qty)
    fill_at = max(Decimal(price), Decimal(60_000))
    assert result.qty * fill_at <= 10_000


def test_a_sell_limit_without_a_valid_last_price_is_not_sized() -> None:
    # no guards at all: the executor itself refuses to size without the last price
    road = build_road(price_source=_NoTicker(), chain_class=lambda _: GuardChain(()))
    result = rejected(road.executor.submit(limit(Side.SELL, "61000")))
    assert result.stage is Stage.VALIDATION
    assert "cannot price or size the entry" in result.reason
    assert road.gateway.calls["submit"] == 0


class _NoTicker:
    def ticker(self, symbol: Symbol) -> Ticker | None:
        return None


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        pytest.param("60100.06", "60100.1", id="up"),
        pytest.param("60100.04", "60100.0", id="down"),
        pytest.param("60100.05", "60100.0", id="half-to-even-down"),
        pytest.param("60100.15", "60100.2", id="half-to-even-up"),
    ],
)
def test_trigger_prices_round_to_the_nearest_tick(asked: str, sent: str) -> None:
    road = build_road()
    intent = EntryIntent(
        BTC,
        Side.BUY,
        notional=Money(1_000),
        trigger_price=Price(asked),
        trigger_direction=TriggerDirection.RISE,
    )
    result = accepted(road.executor.submit(intent))
    (request,) = road.executor_requests()
    assert request.trigger_price == Decimal(sent)
    assert result.status.value == "Untriggered"


# ---- link ids -----------------------------------------------------------------------


def _mixed() -> list[EntryIntent]:
    return [buy(1_000), buy(20_000), EntryIntent(ETH, Side.SELL, qty=Qty("1")), buy(500)]


def test_link_ids_are_run_id_and_sequence_and_the_same_for_the_same_run() -> None:
    first, second = build_road(run_id="run_7"), build_road(run_id="run_7")
    ids_first = [first.executor.submit(i).order_link_id for i in _mixed()]
    ids_second = [second.executor.submit(i).order_link_id for i in _mixed()]
    assert ids_first == ids_second
    assert ids_first == ["run_7-1", "", "run_7-2", "run_7-3"]  # the risk refusal sends nothing
    sent = [r.order_link_id for r in first.executor_requests()]
    assert sent == ["run_7-1", "run_7-2", "run_7-3"]
    assert len(set(sent)) == len(sent)


def test_another_run_id_gives_other_ids() -> None:
    road = build_road(run_id="other")
    assert accepted(road.executor.submit(buy())).order_link_id == "other-1"


@pytest.mark.parametrize("run_id", ["", "has space", "x" * 25, "dash-ed"])
def test_a_run_id_that_cannot_make_a_safe_link_id_is_refused(run_id: str) -> None:
    with pytest.raises(ValueError, match="run_id"):
        build_road(run_id=run_id)


# ---- every rejection says where, why and the numbers -------------------------------


def test_validation_rejection_names_the_rule_and_numbers() -> None:
    road = build_road()
    result = rejected(road.executor.submit(EntryIntent(BTC, Side.BUY, qty=Qty("0.0001"))))
    assert result.stage is Stage.VALIDATION
    assert "minimum order qty" in result.reason
    assert result.numbers["min_order_qty"] == "0.001"
    assert result.numbers["qty"] == "0.0001"


@pytest.mark.parametrize("state", [TradingState.REDUCING, TradingState.HALTED])
def test_entries_are_refused_at_the_trading_state_in_reducing_and_halted(
    state: TradingState,
) -> None:
    road = build_road()
    road.state.escalate(state, "daily loss limit")
    for intent in (buy(), limit(Side.SELL, "60050")):
        result = rejected(road.executor.submit(intent))
        assert result.stage is Stage.STATE
        assert state.value in result.reason
        assert result.numbers == {"state": state.value, "why": "daily loss limit"}
    assert road.gateway.calls["submit"] == 0
    assert road.venue.accepted_count == 0


def test_guard_rejection_carries_every_guards_numbers() -> None:
    road = build_road()
    result = rejected(road.executor.submit(limit(Side.BUY, "50000")))
    assert result.stage is Stage.GUARD
    assert "price_band" in result.reason
    assert result.numbers["price_band.band_bps"] == "200"
    assert Decimal(result.numbers["price_band.limit"]) == 50_000
    assert road.gateway.calls["submit"] == 0


def test_risk_rejection_without_shrink_names_the_limits() -> None:
    road = build_road(risk=risk_settings(allow_shrink=False))
    result = rejected(road.executor.submit(buy(20_000)))
    assert result.stage is Stage.RISK
    assert "max order notional" in result.reason
    assert result.numbers["max_order_notional"] == "10000"
    assert result.numbers["requested"] == "20000"
    assert road.gateway.calls["submit"] == 0


def test_an_oversized_qty_entry_without_shrink_is_a_risk_rejection() -> None:
    road = build_road(risk=risk_settings(allow_shrink=False))
    result = rejected(road.executor.submit(EntryIntent(BTC, Side.BUY, qty=Qty("0.5"))))
    assert result.stage is Stage.RISK
    assert "exceeded" in result.numbers
    assert road.venue.accepted_count == 0


@pytest.mark.parametrize(
    "intent",
    [
        pytest.param(EntryIntent(BTC, Side.BUY, notional=Money(20_000)), id="by-notional"),
        pytest.param(EntryIntent(BTC, Side.BUY, qty=Qty("0.5")), id="by-qty"),
    ],
)
def test_risk_shrinks_only_when_allowed_and_the_note_says_so(intent: EntryIntent) -> None:
    road = build_road(risk=risk_settings(allow_shrink=True))
    result = accepted(road.executor.submit(intent))
    # shrunk to the 10,000 max order notional: 10,000 / 60,000 -> 0.166
    assert result.qty == Decimal("0.166")
    assert result.note.startswith("shrunk from")
    assert "10,000" in result.note


def test_an_entry_within_limits_is_not_shrunk_and_has_no_note() -> None:
    road = build_road(risk=risk_settings(allow_shrink=True))
    result = accepted(road.executor.submit(buy(1_000)))
    assert result.note == ""
    assert result.qty == Decimal("0.016")


def test_venue_balance_refusal_carries_the_venue_code() -> None:
    # risk allows 10x on 1,000 of equity; the venue margins at 1x and refuses
    road = build_road(sim=SimSettings(initial_balance=Money(1_000), leverage=1))
    result = rejected(road.executor.submit(buy(5_000)))
    assert result.stage is Stage.VENUE
    assert result.code == INSUFFICIENT_BALANCE
    assert "available balance" in result.reason
    assert result.order_link_id == "test-1"
    order = road.executor.ledger.get("test-1")
    assert order is not None
    assert order.status.value == "Rejected"


class StaleTickerGateway(VenueProxy):
    """Answers the executor with an old, higher XRP price than the venue trades at."""

    def ticker(self, symbol: Symbol) -> Ticker | None:
        current = super().ticker(symbol)
        if symbol != XRP or current is None:
            return current
        return Ticker(XRP, Price("0.5"), Price("0.5"), current.ts_ms)


def test_venue_min_notional_refusal_carries_the_venue_code() -> None:
    road = build_road(
        instruments=(BTC_RULES, ETH_RULES, XRP_RULES),
        prices={BTC: "60000", XRP: "0.45"},
        gateway=StaleTickerGateway,
        guard=None,
    )
    # sized at 0.5: 10 XRP = 5 USDT; the venue prices it at 0.45: 4.5 < 5
    result = rejected(road.executor.submit(buy("5", XRP)))
    assert result.stage is Stage.VENUE
    assert result.code == BELOW_MIN_NOTIONAL
    assert "notional" in result.reason.lower()


def _reject_at(stage: Stage) -> Rejected:
    if stage is Stage.VALIDATION:
        road = build_road()
        return rejected(road.executor.submit(EntryIntent(BTC, Side.BUY, qty=Qty("0.0001"))))
    if stage is Stage.STATE:
        road = build_road()
        road.state.escalate(TradingState.HALTED, "operator")
        return rejected(road.executor.submit(buy()))
    if stage is Stage.GUARD:
        return rejected(build_road().executor.submit(limit(Side.BUY, "50000")))
    if stage is Stage.RISK:
        return rejected(build_road().executor.submit(buy(20_000)))
    road = build_road(sim=SimSettings(initial_balance=Money(1_000), leverage=1))
    return rejected(road.executor.submit(buy(5_000)))


@pytest.mark.parametrize("stage", list(Stage), ids=[s.value for s in Stage])
def test_every_rejection_carries_stage_reason_and_numbers(stage: Stage) -> None:
    result = _reject_at(stage)
    assert result.stage is stage
    assert result.reason.strip()
    assert result.numbers, f"no numbers behind: {result}"
    assert all(isinstance(v, str) and v for v in result.numbers.values())
    assert str(result).startswith(f"rejected at {stage.value}")
