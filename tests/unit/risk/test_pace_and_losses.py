"""Order rate, cooldown after losing streaks, daily loss and drawdown escalation."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import Amount, Money
from bot.risk import LossAction
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.risk.doubles import NOW, FakeClock, buy, engine, snapshot

DAY = 86_400_000
MINUTE = 60_000


def test_order_rate_blocks_the_sixth_order_in_a_minute_then_recovers() -> None:
    clock = FakeClock()
    risk = engine(clock=clock, max_orders_per_minute=5)
    for _ in range(5):
        assert risk.check_entry(buy(), Money(100), snapshot()).approved
        clock.now += 1_000
    blocked = risk.check_entry(buy(), Money(100), snapshot())
    assert not blocked.approved
    assert blocked.reason == "5 orders in the last minute; limit is 5 per minute"
    assert blocked.numbers["orders_last_minute"] == "5"
    clock.now = NOW + MINUTE  # the first order leaves the window
    assert risk.check_entry(buy(), Money(100), snapshot()).approved


def test_blocked_orders_do_not_count_towards_the_rate() -> None:
    risk = engine(max_orders_per_minute=1)
    assert not risk.check_entry(buy(), Money(9_999), snapshot()).approved
    assert risk.check_entry(buy(), Money(100), snapshot()).approved
    assert not risk.check_entry(buy(), Money(100), snapshot()).approved


def test_cooldown_after_a_losing_streak() -> None:
    clock = FakeClock()
    risk = engine(clock=clock, cooldown_after_losses=3, cooldown_minutes=30)
    for _ in range(3):
        risk.on_trade_closed(Amount("-10"), NOW)
    assert risk.cooldown_until_ms == NOW + 30 * MINUTE
    blocked = risk.check_entry(buy(), Money(100), snapshot())
    assert not blocked.approved
    assert blocked.reason == (
        "cooldown after 3 losing trades in a row: entries blocked until "
        "2023-11-14 22:43 UTC (30 min left)"
    )
    clock.now = NOW + 30 * MINUTE
    assert risk.check_entry(buy(), Money(100), snapshot()).approved


def test_a_win_resets_the_streak() -> None:
    risk = engine(cooldown_after_losses=3)
    risk.on_trade_closed(Amount("-10"), NOW)
    risk.on_trade_closed(Amount("-10"), NOW)
    risk.on_trade_closed(Amount("5"), NOW)
    risk.on_trade_closed(Amount("-10"), NOW)
    assert risk.losing_streak == 1
    assert risk.cooldown_until_ms is None


def test_cooldown_off_when_zero() -> None:
    risk = engine(cooldown_after_losses=0)
    for _ in range(10):
        risk.on_trade_closed(Amount("-1"), NOW)
    assert risk.cooldown_until_ms is None
    assert risk.check_entry(buy(), Money(100), snapshot()).approved


def test_daily_realised_loss_halts() -> None:
    holder = TradingStateHolder()
    risk = engine(holder, daily_loss_limit=Money(500), cooldown_after_losses=0)
    assert risk.on_trade_closed(Amount("-300"), NOW) is None
    reason = risk.on_trade_closed(Amount("-200"), NOW)
    assert reason == (
        "daily realised loss 500 reached the daily loss limit 500 (UTC day 2023-11-14)"
    )
    assert holder.state is TradingState.HALTED
    assert holder.reason == f"{reason}: HALTED"


def test_daily_loss_resets_on_a_new_utc_day() -> None:
    holder = TradingStateHolder()
    risk = engine(holder, cooldown_after_losses=0)
    risk.on_trade_closed(Amount("-400"), NOW)
    assert risk.on_trade_closed(Amount("-400"), NOW + DAY) is None
    assert holder.state is TradingState.ACTIVE


def test_drawdown_escalates_to_reducing_when_configured() -> None:
    holder = TradingStateHolder()
    risk = engine(
        holder,
        on_loss_limit=LossAction.REDUCING,
        max_drawdown_pct=Decimal(10),
        daily_loss_limit=Money(100_000),
    )
    assert risk.on_equity(Amount("10000"), NOW) is None
    assert risk.on_equity(Amount("12000"), NOW + DAY) is None
    assert risk.on_equity(Amount("10900"), NOW + DAY + 1) is None  # 9.17%
    reason = risk.on_equity(Amount("10800"), NOW + DAY + 2)
    assert reason == "drawdown 10% (peak 12,000, equity 10,800) reached max drawdown 10%"
    assert holder.state is TradingState.REDUCING


def test_daily_equity_loss_halts_with_the_numbers() -> None:
    holder = TradingStateHolder()
    risk = engine(holder, daily_loss_limit=Money(500), max_drawdown_pct=Decimal(50))
    risk.on_equity(Amount("10000"), NOW)
    reason = risk.on_equity(Amount("9400"), NOW + 1)
    assert reason == (
        "loss today 600 (equity from 10,000 to 9,400) reached the daily loss limit 500 "
        "(UTC day 2023-11-14)"
    )
    assert holder.state is TradingState.HALTED


def test_on_daily_bars_the_day_starts_from_the_previous_close() -> None:
    # A 1d bar is told at its open time with its close's equity: every bar is a new UTC
    # day. The day's loss is measured from the equity it began with (the previous bar's
    # close), so a fall of 1,500 over one daily bar breaches a 1,000 limit; measured
    # from the bar's own equity it was always 0 and the limit could never bite.
    day0 = NOW - NOW % DAY
    holder = TradingStateHolder()
    risk = engine(holder, daily_loss_limit=Money(1_000), max_drawdown_pct=Decimal(50))
    assert risk.on_equity(Amount("100000"), day0) is None
    reason = risk.on_equity(Amount("98500"), day0 + DAY)
    assert reason == (
        "loss today 1,500 (equity from 100,000 to 98,500) reached the daily loss limit 1,000 "
        "(UTC day 2023-11-15)"
    )
    assert holder.state is TradingState.HALTED


def test_the_first_hourly_bar_of_a_day_counts_towards_its_loss() -> None:
    # the 00:00 bar's equity (at 01:00) is compared with the 23:00 bar's (at 00:00)
    day0 = NOW - NOW % DAY
    holder = TradingStateHolder()
    risk = engine(holder, daily_loss_limit=Money(500), max_drawdown_pct=Decimal(50))
    risk.on_equity(Amount("10000"), day0 + 23 * 60 * MINUTE)
    assert risk.on_equity(Amount("9450"), day0 + DAY) is not None
    assert holder.state is TradingState.HALTED


def test_the_first_equity_ever_told_starts_its_day() -> None:
    risk = engine(daily_loss_limit=Money(500), max_drawdown_pct=Decimal(50))
    assert risk.on_equity(Amount("9000"), NOW) is None  # no earlier equity: no loss yet
    memory = risk.memory()
    assert (memory.day_start_equity, memory.last_equity) == (Decimal(9000), Decimal(9000))


def test_non_positive_equity_escalates() -> None:
    holder = TradingStateHolder()
    reason = engine(holder).on_equity(Amount("-5"), NOW)
    assert reason is not None
    assert reason.startswith("equity -5 is not positive")
    assert holder.state is TradingState.HALTED


def test_escalation_never_loosens_the_state() -> None:
    holder = TradingStateHolder(TradingState.HALTED, "operator")
    risk = engine(holder, on_loss_limit=LossAction.REDUCING, daily_loss_limit=Money(1))
    risk.on_trade_closed(Amount("-5"), NOW)
    assert holder.state is TradingState.HALTED
    assert holder.reason == "operator"
