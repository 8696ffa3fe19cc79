"""Simulated venue: Bybit linear perpetuals in one-way mode, deterministic and scriptable.

Public surface:

- :class:`SimExchange` (``venue``): the venue; implements ``bot.exchange.protocol.Exchange``
  and is driven by :meth:`SimExchange.update_market` and :meth:`SimExchange.on_bar`.
- :class:`SimSettings` (``settings``): balance, fees, slippage, leverage, funding.
- :class:`AcceptedOrder`, :class:`Liquidation`, :class:`FundingPayment`,
  :class:`VenueClock`, :func:`is_liquidation` (``records``): what the venue remembers.
- :class:`AccountTotals` (``ledger``): wallet, realised PnL, fees, funding, margin.
- Bybit codes the venue answers with (``rules``): ``PARAM_ERROR`` (10001),
  ``ORDER_NOT_FOUND`` (110001), ``INSUFFICIENT_BALANCE`` (110007), ``REDUCE_ONLY``
  (110017), ``DUPLICATE_LINK_ID`` (110072), ``TRIGGER_BELOW_RISING`` (110092),
  ``TRIGGER_ABOVE_FALLING`` (110093), ``BELOW_MIN_NOTIONAL`` (110094) and
  ``POST_ONLY_WOULD_TAKE`` (-1, sim only).

Modules: ``venue`` (lock, clock, market driving, account views), ``desk`` (orders,
fills), ``matching`` (when resting orders fill), ``rules`` (request checks and codes),
``ledger`` (isolated margin and totals), ``fees`` (fees and slippage), ``records``,
``settings``.
"""

from bot.exchange.sim.ledger import AccountTotals
from bot.exchange.sim.records import (
    AcceptedOrder,
    FundingPayment,
    Liquidation,
    VenueClock,
    is_liquidation,
)
from bot.exchange.sim.rules import (
    BELOW_MIN_NOTIONAL,
    DUPLICATE_LINK_ID,
    INSUFFICIENT_BALANCE,
    ORDER_NOT_FOUND,
    PARAM_ERROR,
    POST_ONLY_WOULD_TAKE,
    REDUCE_ONLY,
    TRIGGER_ABOVE_FALLING,
    TRIGGER_BELOW_RISING,
)
from bot.exchange.sim.settings import SimSettings
from bot.exchange.sim.venue import SimExchange

__all__ = [
    "BELOW_MIN_NOTIONAL",
    "DUPLICATE_LINK_ID",
    "INSUFFICIENT_BALANCE",
    "ORDER_NOT_FOUND",
    "PARAM_ERROR",
    "POST_ONLY_WOULD_TAKE",
    "REDUCE_ONLY",
    "TRIGGER_ABOVE_FALLING",
    "TRIGGER_BELOW_RISING",
    "AcceptedOrder",
    "AccountTotals",
    "FundingPayment",
    "Liquidation",
    "SimExchange",
    "SimSettings",
    "VenueClock",
    "is_liquidation",
]
