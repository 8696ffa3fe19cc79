"""Portfolio limits, in one frozen, validated record.

The config layer maps ``conf/risk/*.yaml`` onto :class:`RiskSettings` field by field
(money as strings parsed into :class:`~bot.domain.Money`); the constructor refuses any
value out of range, naming the field and the allowed range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from bot.domain import Money
from bot.errors import InvalidValue
from bot.risk.state import TradingState


class LossAction(Enum):
    """Where the trading state goes when a loss or drawdown limit is breached."""

    REDUCING = "reducing"
    HALTED = "halted"

    @property
    def state(self) -> TradingState:
        """The trading state this action escalates to."""
        return TradingState.REDUCING if self is LossAction.REDUCING else TradingState.HALTED


def _int_in(field: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(field, value, f"an integer from {low:,} to {high:,}")


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """Limits the risk engine enforces on every entry, and what a loss breach does.

    - ``max_leverage``: (total exposure + order) / equity may not exceed it (1 to 100).
    - ``max_order_notional``: largest single entry, in USDT.
    - ``max_position_notional``: largest same-side exposure per symbol after the order.
    - ``max_total_exposure``: largest sum of all position notionals after the order.
    - ``max_open_positions``: most symbols held at once (1 to 50).
    - ``daily_loss_limit``: loss within one UTC day that triggers ``on_loss_limit``.
    - ``max_drawdown_pct``: peak-to-trough equity drop, in % (0 < x <= 100), that
      triggers ``on_loss_limit``.
    - ``on_loss_limit``: REDUCING (exits only) or HALTED (exits only, operator reset).
    - ``cooldown_after_losses``: losing trades in a row that start a cooldown (0 = off).
    - ``cooldown_minutes``: how long entries are blocked after that streak (0 to 10080).
    - ``max_orders_per_minute``: approved entries per sliding minute (1 to 10000).
    - ``allow_shrink``: shrink an entry to fit the limits instead of blocking it.
    """

    max_leverage: int
    max_order_notional: Money
    max_position_notional: Money
    max_total_exposure: Money
    max_open_positions: int
    daily_loss_limit: Money
    max_drawdown_pct: Decimal
    on_loss_limit: LossAction
    cooldown_after_losses: int
    cooldown_minutes: int
    max_orders_per_minute: int
    allow_shrink: bool

    def __post_init__(self) -> None:
        _int_in("risk.max_leverage", self.max_leverage, 1, 100)
        _int_in("risk.max_open_positions", self.max_open_positions, 1, 50)
        _int_in("risk.cooldown_after_losses", self.cooldown_after_losses, 0, 100)
        _int_in("risk.cooldown_minutes", self.cooldown_minutes, 0, 10_080)
        _int_in("risk.max_orders_per_minute", self.max_orders_per_minute, 1, 10_000)
        for name in (
            "max_order_notional",
            "max_position_notional",
            "max_total_exposure",
            "daily_loss_limit",
        ):
            if not isinstance(getattr(self, name), Money):
                raise InvalidValue(f"risk.{name}", getattr(self, name), "an amount of USDT > 0")
        pct = self.max_drawdown_pct
        if (
            not isinstance(pct, Decimal)
            or not pct.is_finite()
            or not Decimal(0) < pct <= Decimal(100)
        ):
            raise InvalidValue("risk.max_drawdown_pct", pct, "a percentage in (0, 100]")
        if not isinstance(self.on_loss_limit, LossAction):
            raise InvalidValue("risk.on_loss_limit", self.on_loss_limit, "reducing or halted")
        if not isinstance(self.allow_shrink, bool):
            raise InvalidValue("risk.allow_shrink", self.allow_shrink, "true or false")
