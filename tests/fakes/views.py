"""Venue state as V5 JSON: orders, executions, positions and the wallet.

Shapes follow ``/v5/order/realtime``, ``/v5/execution/list``, ``/v5/position/list`` and
``/v5/account/wallet-balance``; the private stream sends the same items plus
``category`` (and ``entryPrice`` instead of ``avgPrice`` for positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.domain import Fill, Position, Side, Symbol
from bot.exchange.protocol import Balance
from bot.exchange.sim import AccountTotals
from tests.fakes.wire import JsonDict, fmt

OPEN_STATUSES: Final = frozenset({"New", "PartiallyFilled", "Untriggered"})
ZERO: Final = Decimal(0)


@dataclass(eq=False, slots=True)
class OrderRecord:
    """One V5 order as the fake remembers it.

    ``legs`` are the link ids of the sim orders that execute it: the first is the order
    itself; a partial-fill fault adds a later leg for the remainder (``held`` until then).
    """

    order_id: str
    order_link_id: str
    symbol: Symbol
    side: Side
    order_type: str
    qty: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    trigger_direction: int
    time_in_force: str
    reduce_only: bool
    created_ms: int
    legs: list[str]
    stop_order_type: str = "UNKNOWN"
    held: Decimal = ZERO
    cancelled: bool = False
    status: str = "New"
    cum_qty: Decimal = ZERO
    cum_value: Decimal = ZERO
    cum_fee: Decimal = ZERO
    reject_reason: str = "EC_NoError"
    cancel_type: str = "UNKNOWN"
    updated_ms: int = 0
    fills: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """True while the order may still fill."""
        return self.status in OPEN_STATUSES

    def item(self) -> JsonDict:
        """The ``/v5/order/realtime`` list item."""
        avg = self.cum_value / self.cum_qty if self.cum_qty else ZERO
        leaves = self.qty - self.cum_qty if self.is_open else ZERO
        return {
            "orderId": self.order_id,
            "orderLinkId": self.order_link_id,
            "blockTradeId": "",
            "symbol": self.symbol,
            "price": fmt(self.price) if self.price is not None else "0",
            "qty": fmt(self.qty),
            "side": self.side.value,
            "isLeverage": "",
            "positionIdx": 0,
            "orderStatus": self.status,
            "cancelType": self.cancel_type,
            "rejectReason": self.reject_reason,
            "avgPrice": fmt(avg) if self.cum_qty else "",
            "leavesQty": fmt(leaves),
            "leavesValue": fmt(leaves * (self.price or ZERO)),
            "cumExecQty": fmt(self.cum_qty),
            "cumExecValue": fmt(self.cum_value),
            "cumExecFee": fmt(self.cum_fee),
            "cumFeeDetail": {"USDT": fmt(self.cum_fee)} if self.cum_qty else {},
            "timeInForce": self.time_in_force,
            "orderType": self.order_type,
            "stopOrderType": self.stop_order_type,
            "orderIv": "",
            "triggerPrice": fmt(self.trigger_price) if self.trigger_price is not None else "0",
            "takeProfit": "0",
            "stopLoss": "0",
            "tpTriggerBy": "",
            "slTriggerBy": "",
            "triggerDirection": self.trigger_direction,
            "triggerBy": "LastPrice" if self.trigger_price is not None else "",
            "lastPriceOnCreated": "",
            "reduceOnly": self.reduce_only,
            "closeOnTrigger": False,
            "smpType": "None",
            "smpGroup": 0,
            "smpOrderId": "",
            "tpslMode": "",
            "tpLimitPrice": "",
            "slLimitPrice": "",
            "placeType": "",
            "createdTime": str(self.created_ms),
            "updatedTime": str(self.updated_ms or self.created_ms),
        }


def execution_item(
    fill: Fill, record: OrderRecord | None, seq: int, mark: Decimal, *, bust: bool
) -> JsonDict:
    """The ``/v5/execution/list`` item of one sim fill (``closedSize`` is not modelled)."""
    value = fill.qty * fill.price
    return {
        "symbol": fill.symbol,
        "orderId": record.order_id if record else "",
        "orderLinkId": record.order_link_id if record else "",
        "side": fill.side.value,
        "orderPrice": fmt(record.price) if record and record.price is not None else "0",
        "orderQty": fmt(record.qty) if record else fmt(fill.qty),
        "leavesQty": fmt(record.qty - record.cum_qty) if record else "0",
        "createType": "CreateByUser" if record else "CreateByLiq",
        "orderType": record.order_type if record else "Market",
        "stopOrderType": record.stop_order_type if record else "UNKNOWN",
        "execFee": fmt(fill.fee),
        "execId": fill.exec_id,
        "execPrice": fmt(fill.price),
        "execQty": fmt(fill.qty),
        "execType": "BustTrade" if bust else "Trade",
        "execValue": fmt(value),
        "execTime": str(fill.ts_ms),
        "feeCurrency": "USDT",
        "isMaker": fill.is_maker,
        "feeRate": fmt(fill.fee / value) if value else "0",
        "tradeIv": "",
        "markIv": "",
        "markPrice": fmt(mark),
        "indexPrice": fmt(mark),
        "underlyingPrice": "",
        "blockTradeId": "",
        "closedSize": "0",
        "seq": seq,
    }


@dataclass(frozen=True, slots=True)
class PositionFacts:
    """What the fake knows about one symbol's position besides the sim's Position."""

    symbol: Symbol
    position: Position | None
    leverage: int
    mark: Decimal
    tick: Decimal
    take_profit: str
    stop_loss: str
    realised: Decimal
    now_ms: int
    seq: int


def position_item(facts: PositionFacts, *, stream: bool = False) -> JsonDict:
    """The ``/v5/position/list`` item (``stream``: the ``position`` topic's variant)."""
    pos = facts.position
    size = pos.size if pos else ZERO
    entry = pos.entry_price if pos else ZERO
    sign = pos.side.sign if pos else 0
    lev = Decimal(facts.leverage)
    value = size * entry
    bankrupt = entry * (1 - sign / lev) if pos else ZERO
    liq = (bankrupt / facts.tick).to_integral_value() * facts.tick if pos else ZERO
    item: JsonDict = {
        "positionIdx": 0,
        "riskId": 1,
        "riskLimitValue": "2000000",
        "symbol": facts.symbol,
        "side": pos.side.value if pos else "",
        "size": fmt(size),
        "avgPrice": fmt(entry),
        "positionValue": fmt(value),
        "tradeMode": 0,
        "autoAddMargin": 0,
        "positionStatus": "Normal",
        "leverage": str(facts.leverage),
        "markPrice": fmt(facts.mark),
        "liqPrice": fmt(liq) if pos else ("0" if stream else ""),
        "bustPrice": fmt(liq) if pos else "",
        "positionIM": fmt(value / lev),
        "positionMM": "0",
        "positionBalance": fmt(value / lev),
        "takeProfit": facts.take_profit,
        "stopLoss": facts.stop_loss,
        "trailingStop": "0",
        "sessionAvgPrice": "",
        "breakEvenPrice": fmt(entry),
        "unrealisedPnl": fmt(sign * size * (facts.mark - entry)),
        "curRealisedPnl": "0",
        "cumRealisedPnl": fmt(facts.realised),
        "adlRankIndicator": 2 if pos else 0,
        "createdTime": str(facts.now_ms),
        "updatedTime": str(facts.now_ms),
        "seq": facts.seq,
        "isReduceOnly": False,
        "mmrSysUpdatedTime": "",
        "leverageSysUpdatedTime": "",
    }
    if stream:
        item["entryPrice"] = item.pop("avgPrice")
        item["category"] = "linear"
    return item


def wallet_item(balance: Balance, totals: AccountTotals) -> JsonDict:
    """The one ``UNIFIED`` account of ``/v5/account/wallet-balance`` (USDT only)."""
    upl = balance.equity - balance.wallet
    initial = totals.position_margin + totals.order_margin
    rate = initial / balance.equity if balance.equity > 0 else ZERO
    coin = {
        "coin": "USDT",
        "equity": fmt(balance.equity),
        "usdValue": fmt(balance.equity),
        "walletBalance": fmt(balance.wallet),
        "free": "",
        "locked": "0",
        "spotHedgingQty": "0",
        "borrowAmount": "0",
        "availableToWithdraw": "",
        "accruedInterest": "0",
        "totalOrderIM": fmt(totals.order_margin),
        "totalPositionIM": fmt(totals.position_margin),
        "totalPositionMM": "0",
        "unrealisedPnl": fmt(upl),
        "cumRealisedPnl": fmt(totals.realised_pnl),
        "bonus": "0",
        "marginCollateral": True,
        "collateralSwitch": True,
    }
    return {
        "accountType": "UNIFIED",
        "totalEquity": fmt(balance.equity),
        "totalWalletBalance": fmt(balance.wallet),
        "totalMarginBalance": fmt(balance.equity),
        "totalAvailableBalance": fmt(balance.available),
        "totalPerpUPL": fmt(upl),
        "totalInitialMargin": fmt(initial),
        "totalMaintenanceMargin": "0",
        "accountIMRate": fmt(rate.quantize(Decimal("0.0001"))),
        "accountMMRate": "0",
        "accountLTV": "0",
        "coin": [coin],
    }
