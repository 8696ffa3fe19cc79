"""Account endpoints of the fake: order, execution and position lists, wallet, leverage, TP/SL.

Each function takes the parsed parameters and returns the V5 ``result`` or raises
:class:`~tests.fakes.wire.V5Error`. Lists are newest first and paged by ``cursor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.domain import Symbol
from tests.fakes.trading import TradingDesk
from tests.fakes.views import OrderRecord, position_item
from tests.fakes.wire import (
    LEVERAGE_NOT_MODIFIED,
    LEVERAGE_NOT_MODIFIED_MSG,
    NOT_MODIFIED,
    NOT_MODIFIED_MSG,
    PARAM_ERROR,
    JsonDict,
    V5Error,
    check_linear,
    decimal_param,
    int_param,
    limit_param,
    page,
    text_param,
)

#: How many closed orders ``openOnly=1`` reaches back, as on Bybit.
RECENT_CLOSED = 500
#: The longest ``startTime``..``endTime`` span of the execution list, as on Bybit.
WEEK_MS = 7 * 24 * 3600 * 1000


def _exec_window(desk: TradingDesk, params: Mapping[str, object]) -> tuple[int, int]:
    """Bybit's execution-list window: the last 7 days by default, 7 days from
    ``startTime``, 7 days up to ``endTime``, or both (10001 beyond 7 days or reversed)."""
    start = int_param(params, "startTime", -1)
    end = int_param(params, "endTime", -1)
    if start < 0 and end < 0:
        now = max(desk.now_ms(), desk.venue.clock.now_ms())
        return now - WEEK_MS, now
    if end < 0:
        return start, start + WEEK_MS
    if start < 0:
        return end - WEEK_MS, end
    if end < start or end - start > WEEK_MS:
        raise V5Error(PARAM_ERROR, "params error: endTime - startTime must be 0..7 days")
    return start, end


def _scope(desk: TradingDesk, params: Mapping[str, object]) -> Symbol | None:
    """The symbol asked for, or None for the whole settle coin; 10001 if neither."""
    if params.get("symbol"):
        return desk.symbol(params)
    if params.get("settleCoin") or params.get("baseCoin"):
        return None
    raise V5Error(PARAM_ERROR, "params error: symbol, baseCoin or settleCoin is required")


def order_list(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``GET /v5/order/realtime``: open orders, or one order by id (open or recently closed)."""
    check_linear(params)
    symbol = _scope(desk, params)
    limit = limit_param(params, 20, 50)
    chosen: list[OrderRecord]
    if params.get("orderId") or params.get("orderLinkId"):
        found = desk.record(params)
        chosen = [] if found is None else [found]
    elif int_param(params, "openOnly", 0) == 0:
        chosen = [r for r in reversed(desk.records) if r.is_open]
    else:
        chosen = [r for r in reversed(desk.records) if not r.is_open][:RECENT_CLOSED]
    items = [r.item() for r in chosen if symbol is None or r.symbol == symbol]
    rows, cursor = page(items, params, limit)
    return {"category": "linear", "list": rows, "nextPageCursor": cursor}


def execution_list(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``GET /v5/execution/list``: executions newest first, filtered by symbol or order."""
    check_linear(params)
    limit = limit_param(params, 50, 100)
    filters = {
        name: text_param(params, name, required=False)
        for name in ("symbol", "orderId", "orderLinkId")
    }
    low, high = _exec_window(desk, params)
    items = [
        e
        for e in reversed(desk.executions)
        if all(not wanted or e[name] == wanted for name, wanted in filters.items())
        and low <= int(str(e["execTime"])) <= high
    ]
    rows, cursor = page(items, params, limit)
    return {"category": "linear", "list": rows, "nextPageCursor": cursor}


def position_list(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``GET /v5/position/list``: one row for ``symbol`` (even flat), or every open one."""
    check_linear(params)
    limit = limit_param(params, 20, 200)
    symbol = _scope(desk, params)
    symbols = [symbol] if symbol is not None else sorted(desk.venue.positions())
    items = [position_item(desk.position_facts(s)) for s in symbols]
    rows, cursor = page(items, params, limit)
    return {"category": "linear", "list": rows, "nextPageCursor": cursor}


def wallet_balance(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``GET /v5/account/wallet-balance`` for ``accountType=UNIFIED`` (USDT only)."""
    account = text_param(params, "accountType")
    if account != "UNIFIED":
        raise V5Error(PARAM_ERROR, f"accountType only support UNIFIED, got {account!r}")
    item = desk.wallet_item()
    coins = text_param(params, "coin", required=False)
    if coins and "USDT" not in coins.split(","):
        item["coin"] = []
    return {"list": [item]}


def set_leverage(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``POST /v5/position/set-leverage``: equal buy/sell leverage; 110043 when unchanged."""
    check_linear(params)
    symbol = desk.symbol(params)
    buy = decimal_param(params, "buyLeverage", required=True)
    sell = decimal_param(params, "sellLeverage", required=True)
    if buy != sell:
        raise V5Error(PARAM_ERROR, f"buy leverage {buy} must equal sell leverage {sell} (one-way)")
    if buy is None or buy != buy.to_integral_value():
        raise V5Error(PARAM_ERROR, f"leverage {buy} invalid: the fake supports whole leverage")
    if int(buy) == desk.venue.leverage(symbol):
        raise V5Error(LEVERAGE_NOT_MODIFIED, LEVERAGE_NOT_MODIFIED_MSG)
    desk.set_leverage(symbol, int(buy))
    return {}


def _level(params: Mapping[str, object], name: str) -> str | None:
    """A TP/SL level: None when absent, "" when cancelled ("0"), else the price text."""
    if params.get(name) in (None, ""):
        return None
    if params.get(name) == "0":
        return ""
    value = decimal_param(params, name)
    return None if value is None else str(params[name])


def trading_stop(desk: TradingDesk, params: Mapping[str, object]) -> JsonDict:
    """``POST /v5/position/trading-stop``: TP/SL of the whole position; 34040 when unchanged.

    The fake closes the position with a reduce-only market order when the last price
    reaches a level (``tpslMode`` Full only; trailing stops are not modelled).
    """
    check_linear(params)
    symbol = desk.symbol(params)
    if text_param(params, "tpslMode") != "Full":
        raise V5Error(PARAM_ERROR, "params error: the fake models tpslMode Full only")
    if "positionIdx" not in params or int_param(params, "positionIdx", 0) != 0:
        raise V5Error(PARAM_ERROR, "position idx not match position mode")
    position = desk.venue.positions().get(symbol)
    if position is None:
        raise V5Error(PARAM_ERROR, "can not set tp/sl/ts for zero position")
    old_tp, old_sl = desk.tpsl.get(symbol, ("", ""))
    take_profit = _level(params, "takeProfit")
    stop_loss = _level(params, "stopLoss")
    new_tp = old_tp if take_profit is None else take_profit
    new_sl = old_sl if stop_loss is None else stop_loss
    if (new_tp, new_sl) == (old_tp, old_sl):
        raise V5Error(NOT_MODIFIED, NOT_MODIFIED_MSG)
    last = desk.mark(symbol)
    sign = position.side.sign
    if new_tp and sign * (Decimal(new_tp) - last) <= 0:
        raise V5Error(PARAM_ERROR, f"TakeProfit {new_tp} is on the wrong side of {last}")
    if new_sl and sign * (Decimal(new_sl) - last) >= 0:
        raise V5Error(PARAM_ERROR, f"StopLoss {new_sl} is on the wrong side of {last}")
    desk.tpsl[symbol] = (new_tp, new_sl)
    return {}
