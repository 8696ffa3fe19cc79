"""Documented Bybit V5 payloads (docs/v5/..., as quoted in the shared reference)."""

from __future__ import annotations

import copy
from typing import Any

from bot.config.schema import Network
from bot.config.settings import BybitEndpoints, BybitSettings, Secret

T0 = 1_700_000_000_000
API_KEY = "KEY-visible-in-headers"
API_SECRET = "SECRET-never-anywhere-7f3a"


def settings(rest: str = "http://127.0.0.1:1") -> BybitSettings:
    """Settings aimed at loopback URLs (nothing listens on port 1)."""
    return BybitSettings(
        network=Network.demo,
        endpoints=BybitEndpoints(rest, "ws://127.0.0.1:1/public", "ws://127.0.0.1:1/private"),
        api_key=Secret(API_KEY),
        api_secret=Secret(API_SECRET),
        confirm_mainnet=False,
        recv_window_ms=5000,
        timeout_s=1,
    )


def envelope(result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The V5 envelope around ``result``."""
    answer = {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": T0}
    answer.update(extra)
    return answer


TICKER: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "lastPrice": "65000.10",
    "indexPrice": "65001.00",
    "markPrice": "65000.50",
    "prevPrice24h": "64000",
    "price24hPcnt": "0.0156",
    "bid1Price": "65000.00",
    "bid1Size": "1.2",
    "ask1Price": "65000.10",
    "ask1Size": "0.8",
    "fundingRate": "0.0001",
    "nextFundingTime": "1700006400000",
    "basis": "",
    "deliveryTime": "0",
}

INSTRUMENT: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "contractType": "LinearPerpetual",
    "status": "Trading",
    "baseCoin": "BTC",
    "quoteCoin": "USDT",
    "settleCoin": "USDT",
    "priceScale": "2",
    "fundingInterval": 480,
    "isPreListing": False,
    "preListingInfo": None,
    "leverageFilter": {"minLeverage": "1", "maxLeverage": "100.00", "leverageStep": "0.01"},
    "priceFilter": {"minPrice": "0.10", "maxPrice": "1999999.80", "tickSize": "0.10"},
    "lotSizeFilter": {
        "maxOrderQty": "1190.000",
        "minOrderQty": "0.001",
        "qtyStep": "0.001",
        "postOnlyMaxOrderQty": "1190.000",
        "maxMktOrderQty": "500.000",
        "minNotionalValue": "5",
    },
}

POSITION: dict[str, Any] = {
    "positionIdx": 0,
    "symbol": "BTCUSDT",
    "side": "Buy",
    "size": "0.010",
    "avgPrice": "64000.5",
    "positionValue": "640.005",
    "leverage": "10",
    "markPrice": "65000",
    "liqPrice": "",
    "positionStatus": "Normal",
    "unrealisedPnl": "9.995",
    "createdTime": "1699999000000",
    "updatedTime": "1700000000000",
    "seq": 1234,
    "isReduceOnly": False,
}

FLAT_POSITION: dict[str, Any] = {**POSITION, "side": "", "size": "0", "avgPrice": "0"}

ORDER: dict[str, Any] = {
    "orderId": "1321003749386327552",
    "orderLinkId": "bot-1",
    "symbol": "BTCUSDT",
    "price": "60000",
    "qty": "0.010",
    "side": "Buy",
    "positionIdx": 0,
    "orderStatus": "PartiallyFilled",
    "cancelType": "UNKNOWN",
    "rejectReason": "EC_NoError",
    "avgPrice": "60000",
    "leavesQty": "0.006",
    "cumExecQty": "0.004",
    "cumExecValue": "240",
    "cumFeeDetail": {"USDT": "0.024"},
    "timeInForce": "GTC",
    "orderType": "Limit",
    "stopOrderType": "UNKNOWN",
    "triggerPrice": "",
    "triggerDirection": 0,
    "takeProfit": "",
    "stopLoss": "",
    "reduceOnly": False,
    "closeOnTrigger": False,
    "createdTime": "1700000000000",
    "updatedTime": "1700000000100",
}

EXECUTION: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "orderId": "1321003749386327552",
    "orderLinkId": "bot-1",
    "side": "Buy",
    "orderPrice": "60000",
    "orderQty": "0.010",
    "leavesQty": "0.006",
    "orderType": "Limit",
    "execId": "e-1",
    "execPrice": "60000",
    "execQty": "0.004",
    "execValue": "240",
    "execFee": "-0.006",
    "feeRate": "-0.000025",
    "execType": "Trade",
    "execTime": str(T0),
    "isMaker": True,
    "markPrice": "60001",
    "closedSize": "0",
    "seq": 55,
}

WALLET: dict[str, Any] = {
    "accountType": "UNIFIED",
    "totalEquity": "10050.5",
    "totalWalletBalance": "10000",
    "totalMarginBalance": "10050.5",
    "totalAvailableBalance": "9000.25",
    "totalPerpUPL": "50.5",
    "totalInitialMargin": "1000",
    "totalMaintenanceMargin": "100",
    "coin": [
        {
            "coin": "USDT",
            "equity": "10050.5",
            "usdValue": "10050.5",
            "walletBalance": "10000",
            "locked": "0",
            "totalOrderIM": "200",
            "totalPositionIM": "800",
            "unrealisedPnl": "50.5",
            "cumRealisedPnl": "12",
        }
    ],
}

KLINES: list[list[str]] = [
    [str(T0 + 120_000), "102", "104", "101", "103", "5", "515"],
    [str(T0 + 60_000), "101", "103", "100", "102", "4", "408"],
    [str(T0), "100", "102", "99", "101", "3", "303"],
]


def fresh(payload: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, so a test can change it freely."""
    return copy.deepcopy(payload)
