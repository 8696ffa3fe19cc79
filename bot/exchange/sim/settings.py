"""The simulated venue's knobs: money, fees, slippage, leverage and funding.

One frozen value, built once by the composition root from the ``exchange=sim`` config
node. Every field is validated here so a venue never runs with a nonsense setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.domain import Money
from bot.domain.market import MIN_TIMESTAMP_MS
from bot.errors import InvalidValue

#: Leverage Bybit accepts on linear perpetuals (the per-symbol cap may be lower).
MIN_LEVERAGE: Final = 1
MAX_LEVERAGE: Final = 100
#: Bybit funds every 8 hours (00:00, 08:00, 16:00 UTC).
EIGHT_HOURS_MS: Final = 8 * 3600 * 1000
#: Fees and slippage above this many bps (10%) are a typo, not a setting.
MAX_BPS: Final = Decimal(1000)
#: Starting wallet when the config says nothing.
DEFAULT_BALANCE: Final = Money(10_000)


def check_leverage(field: str, leverage: int) -> int:
    """Return ``leverage`` if it is an int in 1..100, else raise :class:`InvalidValue`."""
    if isinstance(leverage, bool) or not isinstance(leverage, int):
        raise InvalidValue(field, leverage, f"an integer from {MIN_LEVERAGE} to {MAX_LEVERAGE}")
    if not MIN_LEVERAGE <= leverage <= MAX_LEVERAGE:
        raise InvalidValue(field, leverage, f"from {MIN_LEVERAGE} to {MAX_LEVERAGE}")
    return leverage


def _bps(field: str, value: Decimal, *, signed: bool) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValue(field, value, "a finite Decimal number of basis points")
    low = -MAX_BPS if signed else Decimal(0)
    if not low <= value <= MAX_BPS:
        raise InvalidValue(field, str(value), f"from {low} to {MAX_BPS} bps")


@dataclass(frozen=True, slots=True)
class SimSettings:
    """How the simulated venue charges, fills and funds.

    - ``initial_balance``: USDT in the wallet at the start.
    - ``taker_fee_bps`` / ``maker_fee_bps``: fee per fill in basis points of the
      notional (Bybit's base rates are 5.5 and 2.0); a negative maker fee is a rebate.
    - ``slippage_bps``: how far a taker fill moves against the taker from the
      reference price (last price, or the trigger for stops), rounded to the tick
      in the adverse direction.
    - ``leverage``: the leverage every symbol starts with (``set_leverage`` changes it).
    - ``funding_rate``: the rate applied every ``funding_interval_ms`` of venue time;
      positive means longs pay shorts.
    - ``start_ms``: the venue clock before the first price arrives.
    """

    initial_balance: Money = DEFAULT_BALANCE
    taker_fee_bps: Decimal = Decimal("5.5")
    maker_fee_bps: Decimal = Decimal("2.0")
    slippage_bps: Decimal = Decimal("0")
    leverage: int = 1
    funding_rate: Decimal = Decimal("0.0001")
    funding_interval_ms: int = EIGHT_HOURS_MS
    start_ms: int = MIN_TIMESTAMP_MS

    def __post_init__(self) -> None:
        if not isinstance(self.initial_balance, Money):
            raise InvalidValue("sim.initial_balance", self.initial_balance, "a Money amount")
        _bps("sim.taker_fee_bps", self.taker_fee_bps, signed=False)
        _bps("sim.maker_fee_bps", self.maker_fee_bps, signed=True)
        _bps("sim.slippage_bps", self.slippage_bps, signed=False)
        check_leverage("sim.leverage", self.leverage)
        rate = self.funding_rate
        if not isinstance(rate, Decimal) or not rate.is_finite() or abs(rate) > Decimal("0.05"):
            raise InvalidValue("sim.funding_rate", rate, "a finite Decimal from -0.05 to 0.05")
        interval = self.funding_interval_ms
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 60_000:
            raise InvalidValue("sim.funding_interval_ms", interval, "an int of at least 60000")
        start = self.start_ms
        if isinstance(start, bool) or not isinstance(start, int) or start < MIN_TIMESTAMP_MS:
            raise InvalidValue("sim.start_ms", start, f"epoch ms >= {MIN_TIMESTAMP_MS}")
