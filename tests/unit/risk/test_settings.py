"""RiskSettings refuses out-of-range limits, naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.errors import InvalidValue, TypeViolation
from bot.risk import LossAction
from bot.risk.state import TradingState
from tests.unit.risk.doubles import risk_settings


def test_defaults_are_accepted() -> None:
    made = risk_settings()
    assert made.max_leverage == 5
    assert made.on_loss_limit.state is TradingState.HALTED
    assert LossAction.REDUCING.state is TradingState.REDUCING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_leverage", 0),
        ("max_leverage", 101),
        ("max_open_positions", 0),
        ("max_open_positions", 51),
        ("cooldown_after_losses", -1),
        ("cooldown_after_losses", 101),
        ("cooldown_minutes", 10_081),
        ("max_orders_per_minute", 0),
        ("max_orders_per_minute", 10_001),
        ("max_drawdown_pct", Decimal(0)),
        ("max_drawdown_pct", Decimal("100.01")),
        ("max_drawdown_pct", Decimal("NaN")),
        ("max_leverage", True),
    ],
)
def test_out_of_range_is_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        risk_settings(**{field: value})
    assert caught.value.field == f"risk.{field}"


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_order_notional", Decimal(100)), ("on_loss_limit", "halted"), ("allow_shrink", 1)],
)
def test_wrong_types_are_refused(field: str, value: object) -> None:
    with pytest.raises(TypeViolation, match=field):
        risk_settings(**{field: value})


def test_edges_are_accepted() -> None:
    made = risk_settings(max_leverage=100, max_drawdown_pct=Decimal(100), cooldown_after_losses=0)
    assert made.max_drawdown_pct == 100
