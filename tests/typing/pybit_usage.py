"""The pybit surface the bot relies on, written as a sample that must pass ``mypy --strict``.

Checked by the normal mypy run against ``typings/pybit``. Importing this module defines
classes and functions only: nothing connects until a function is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pybit.exceptions import (
    FailedRequestError,
    InvalidChannelTypeError,
    InvalidRequestError,
    TopicMismatchError,
    UnauthorizedExceptionError,
)
from pybit.unified_trading import HTTP, WebSocket


class LoopbackHTTP(HTTP):
    """An HTTP client pointed at a local server (the fake Bybit)."""

    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.endpoint = base_url


class LoopbackWebSocket(WebSocket):
    """A stream pointed at a local server, for the first connect and every reconnect."""

    def __init__(self, channel_type: str, *, ws_url: str, **kwargs: Any) -> None:
        self._ws_url_override = ws_url
        kwargs.setdefault("testnet", False)
        super().__init__(channel_type, **kwargs)

    def _connect(self, url: str) -> None:
        super()._connect(self._ws_url_override)


def place_one_order(base_url: str) -> str:
    """Place an order through the loopback client and return Bybit's order id."""
    http = LoopbackHTTP(base_url=base_url, api_key="key", api_secret="secret", max_retries=1)
    server_time: dict[str, Any] = http.get_server_time()
    if server_time["retCode"] != 0:
        return ""
    try:
        answer = http.place_order(
            category="linear",
            symbol="BTCUSDT",
            side="Buy",
            orderType="Market",
            qty="0.001",
            reduceOnly=False,
            orderLinkId="bot-1",
        )
    except InvalidRequestError as rejected:
        return f"rejected {rejected.status_code}: {rejected.message}"
    except FailedRequestError as failed:
        headers = failed.resp_headers or {}
        return f"failed {failed.status_code} at {failed.time}: {headers.get('X-Bapi-Limit', '')}"
    order_id: str = answer["result"]["orderId"]
    return order_id


def stream_tickers(ws_url: str, received: list[dict[str, Any]]) -> LoopbackWebSocket:
    """Open a public stream on loopback and collect ticker messages into ``received``."""

    def on_message(message: dict[str, Any]) -> None:
        received.append(dict(message))

    try:
        ws = LoopbackWebSocket("linear", ws_url=ws_url, retries=3, ping_interval=5)
    except (InvalidChannelTypeError, TopicMismatchError, UnauthorizedExceptionError):
        raise
    ws.ticker_stream(symbol="BTCUSDT", callback=on_message)
    ws.kline_stream(interval=1, symbol=["BTCUSDT", "ETHUSDT"], callback=on_message)
    topics: list[str] = ws.get_subscription_topics()
    if not ws.is_connected() or ws.exited or not topics:
        ws.exit()
    return ws


def private_stream(ws_url: str, on_event: Callable[[dict[str, Any]], None]) -> LoopbackWebSocket:
    """Open the private stream; ``auth`` says whether the login was accepted."""
    ws = LoopbackWebSocket("private", ws_url=ws_url, api_key="key", api_secret="secret")
    ws.order_stream(on_event)
    ws.execution_stream(on_event)
    ws.position_stream(on_event)
    ws.wallet_stream(on_event)
    authenticated: bool = ws.auth
    endpoint: str = ws.endpoint
    if not authenticated and not endpoint.startswith("ws://127.0.0.1"):
        ws.exit()
    return ws
