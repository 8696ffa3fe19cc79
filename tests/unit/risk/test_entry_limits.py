"""check_entry: each limit passes and blocks with its numbers; shrink only when allowed."""

from __future__ import annotations

from bot.domain import Money, Position, Price, Qty, Side, Symbol
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.risk.doubles import BTC, ETH, SOL, buy, engine, long, snapshot


def test_within_every_limit_is_approved_unchanged() -> None:
    decision = engine().check_entry(buy(), Money(1_000), snapshot())
    assert decision.approved
    assert decision.notional == Money(1_000)
    assert not decision.shrunk
    assert decision.reason == "within every risk limit"
    assert decision.numbers == {"symbol": "BTCUSDT", "requested": "1000", "equity": "10000"}


def test_max_order_notional_blocks() -> None:
    decision = engine().check_entry(buy(), Money(2_500), snapshot())
    assert not decision.approved
    assert decision.notional is None
    assert decision.reason == "order notional 2,500 is above max order notional 2,000"
    assert decision.numbers["exceeded"] == "max_order_notional"


def test_max_order_notional_shrinks_when_allowed() -> None:
    decision = engine(allow_shrink=True).check_entry(buy(), Money(2_500), snapshot())
    assert decision.approved
    assert decision.shrunk
    assert decision.notional == Money(2_000)
    assert decision.reason == (
        "shrunk from 2,500 to 2,000 to fit: order notional 2,500 is above max order notional 2,000"
    )
    assert decision.numbers["approved"] == "2000.00"


def test_max_position_notional_counts_same_side_exposure() -> None:
    held = snapshot("10000", long(BTC, "0.1", "40000"))  # 4,000 long
    decision = engine().check_entry(buy(), Money(1_500), held)
    assert not decision.approved
    assert decision.reason == (
        "BTCUSDT BUY exposure 4,000 + order 1,500 = 5,500 is above max position notional 5,000"
    )
    assert decision.numbers["symbol_exposure"] == "4000.00"


def test_opposite_side_position_does_not_count_towards_the_symbol_limit() -> None:
    short = Position(BTC, Side.SELL, Qty("0.1"), Price("40000"))
    decision = engine().check_entry(buy(), Money(1_500), snapshot("10000", short))
    assert decision.approved
    blocked = engine().check_entry(buy(), Money(6_500), snapshot("10000", short))
    assert "total exposure 4,000 + order 6,500 = 10,500" in blocked.reason
    assert "BTCUSDT BUY exposure 0 + order 6,500" in blocked.reason


def test_position_limit_shrinks_to_the_room_left() -> None:
    held = snapshot("10000", long(BTC, "0.1", "40000"))
    decision = engine(allow_shrink=True).check_entry(buy(), Money(1_500), held)
    assert decision.shrunk
    assert decision.notional == Money(1_000)


def test_max_total_exposure_blocks() -> None:
    held = snapshot(
        "100000", long(ETH, "2", "2000"), long(SOL, "40", "100"), long(BTC, "0.05", "40000")
    )  # 4,000 + 4,000 + 2,000 = 10,000
    decision = engine().check_entry(buy(), Money(500), held)
    assert not decision.approved
    assert decision.reason == (
        "total exposure 10,000 + order 500 = 10,500 is above max total exposure 10,000"
    )


def test_max_open_positions_blocks_a_new_symbol_but_not_an_add() -> None:
    held = snapshot(
        "100000", long(ETH, "0.1", "2000"), long(SOL, "1", "100"), long(BTC, "0.001", "40000")
    )
    new_symbol = engine(allow_shrink=True).check_entry(buy(Symbol("XRPUSDT")), Money(100), held)
    assert not new_symbol.approved
    assert new_symbol.reason == (
        "3 positions open; max open positions is 3, so no new symbol (XRPUSDT) may be opened"
    )
    assert new_symbol.numbers["max_open_positions"] == "3"
    assert engine().check_entry(buy(BTC), Money(100), held).approved


def test_max_leverage_blocks_with_the_ratio() -> None:
    held = snapshot("1000", long(ETH, "2", "2000"))  # 4,000 on 1,000 equity
    decision = engine().check_entry(buy(), Money(1_500), held)
    assert not decision.approved
    assert decision.reason == (
        "leverage after the order 5.5x (exposure 5,500 / equity 1,000) is above max leverage 5x"
    )
    assert decision.numbers["leverage_after"] == "5.50"


def test_every_exceeded_limit_is_named_and_shrink_fits_them_all() -> None:
    held = snapshot("1000", long(BTC, "0.1", "40000"))  # 4,000 on 1,000 equity: 1,000 left
    blocked = engine().check_entry(buy(), Money(2_500), held)
    assert blocked.numbers["exceeded"] == "max_order_notional,max_position_notional,max_leverage"
    shrunk = engine(allow_shrink=True).check_entry(buy(), Money(2_500), held)
    assert shrunk.notional == Money(1_000)
    assert "max leverage 5x" in shrunk.reason
    assert "max order notional 2,000" in shrunk.reason


def test_no_room_left_blocks_even_when_shrink_is_allowed() -> None:
    held = snapshot("1000", long(BTC, "0.125", "40000"))  # 5,000: position and leverage full
    decision = engine(allow_shrink=True).check_entry(buy(), Money(100), held)
    assert not decision.approved
    assert decision.reason.endswith("no room left to shrink into")


def test_never_shrinks_when_not_allowed() -> None:
    decision = engine(allow_shrink=False).check_entry(buy(), Money(2_001), snapshot())
    assert not decision.approved
    assert not decision.shrunk


def test_non_positive_equity_blocks() -> None:
    decision = engine().check_entry(buy(), Money(100), snapshot("0"))
    assert not decision.approved
    assert decision.reason == "equity 0 is not positive: no entry can be afforded"


def test_trading_state_blocks_entries() -> None:
    holder = TradingStateHolder(TradingState.REDUCING, "drawdown 12%")
    decision = engine(holder).check_entry(buy(), Money(100), snapshot())
    assert not decision.approved
    assert decision.reason == "trading state is REDUCING (drawdown 12%): no entries"
