"""Stubs for ``pybit.unified_trading`` (pybit 5.17.0): the surface the bot uses.

HTTP methods return the decoded JSON envelope (``retCode``, ``retMsg``, ``result``,
``retExtInfo``, ``time``). The ``record_request_time`` and ``return_response_headers``
options turn the return value into a tuple; the bot never sets them, so the stubs
describe the plain dict.
"""

from collections.abc import Callable
from typing import Any, TypeAlias

# Private names: they exist only in the stubs, never import them at run time.
_Json: TypeAlias = dict[str, Any]
_Callback: TypeAlias = Callable[[_Json], None]

PRIVATE_WSS: str
PUBLIC_WSS: str
AVAILABLE_CHANNEL_TYPES: list[str]

class HTTP:
    """Bybit V5 REST client; ``endpoint`` is the base URL read at every call."""

    endpoint: str
    testnet: bool
    domain: str
    tld: str
    demo: bool
    api_key: str | None
    api_secret: str | None
    timeout: int
    recv_window: int
    force_retry: bool
    retry_codes: set[int]
    ignore_codes: set[int]
    max_retries: int
    retry_delay: int
    def __init__(
        self,
        *,
        testnet: bool = False,
        domain: str = "bybit",
        tld: str = "com",
        demo: bool = False,
        rsa_authentication: bool = False,
        api_key: str | None = None,
        api_secret: str | None = None,
        logging_level: int = 20,
        log_requests: bool = False,
        timeout: int = 10,
        recv_window: int = 5000,
        force_retry: bool = False,
        retry_codes: set[int] = ...,
        ignore_codes: set[int] = ...,
        max_retries: int = 3,
        retry_delay: int = 3,
        referral_id: str | None = None,
        record_request_time: bool = False,
        return_response_headers: bool = False,
    ) -> None: ...

    # market (no auth)
    def get_server_time(self) -> _Json: ...
    def get_kline(self, **kwargs: Any) -> _Json: ...
    def get_instruments_info(self, **kwargs: Any) -> _Json: ...
    def get_orderbook(self, **kwargs: Any) -> _Json: ...
    def get_tickers(self, **kwargs: Any) -> _Json: ...

    # orders
    def place_order(self, **kwargs: Any) -> _Json: ...
    def amend_order(self, **kwargs: Any) -> _Json: ...
    def cancel_order(self, **kwargs: Any) -> _Json: ...
    def cancel_all_orders(self, **kwargs: Any) -> _Json: ...
    def get_open_orders(self, **kwargs: Any) -> _Json: ...
    def get_order_history(self, **kwargs: Any) -> _Json: ...
    def place_batch_order(self, **kwargs: Any) -> _Json: ...
    def amend_batch_order(self, **kwargs: Any) -> _Json: ...
    def cancel_batch_order(self, **kwargs: Any) -> _Json: ...

    # positions
    def get_positions(self, **kwargs: Any) -> _Json: ...
    def set_leverage(self, **kwargs: Any) -> _Json: ...
    def set_trading_stop(self, **kwargs: Any) -> _Json: ...
    def switch_position_mode(self, **kwargs: Any) -> _Json: ...
    def get_executions(self, **kwargs: Any) -> _Json: ...
    def get_closed_pnl(self, **kwargs: Any) -> _Json: ...

    # account
    def get_wallet_balance(self, **kwargs: Any) -> _Json: ...
    def get_fee_rates(self, **kwargs: Any) -> _Json: ...
    def get_account_info(self) -> _Json: ...

class WebSocket:
    """Bybit V5 stream client; connects in the constructor, calls back on its own thread."""

    endpoint: str
    WS_URL: str
    auth: bool
    exited: bool
    subscriptions: dict[str, str]
    callback_directory: dict[str, _Callback]
    testnet: bool
    demo: bool
    api_key: str | None
    api_secret: str | None
    def __init__(
        self,
        channel_type: str,
        *,
        testnet: bool,
        tld: str = "",
        domain: str = "",
        demo: bool = False,
        rsa_authentication: bool = False,
        api_key: str | None = None,
        api_secret: str | None = None,
        ping_interval: int = 20,
        ping_timeout: int = 10,
        retries: int = 10,
        restart_on_error: bool = True,
        trace_logging: bool = False,
        private_auth_expire: int = 1,
        callback_function: _Callback | None = None,
    ) -> None: ...
    def _connect(self, url: str) -> None: ...
    def is_connected(self) -> bool: ...
    def exit(self) -> None: ...
    def subscribe(
        self, topic: str, callback: _Callback, symbol: str | list[str] | bool = False
    ) -> None: ...
    def unsubscribe(self, topic: str) -> None: ...
    def get_subscription_topics(self) -> list[str]: ...

    # private topics
    def order_stream(self, callback: _Callback) -> None: ...
    def execution_stream(self, callback: _Callback) -> None: ...
    def position_stream(self, callback: _Callback) -> None: ...
    def wallet_stream(self, callback: _Callback) -> None: ...

    # public topics
    def ticker_stream(self, symbol: str | list[str], callback: _Callback) -> None: ...
    def kline_stream(
        self, interval: int | str, symbol: str | list[str], callback: _Callback
    ) -> None: ...
    def orderbook_stream(
        self, depth: int, symbol: str | list[str], callback: _Callback
    ) -> None: ...
    def trade_stream(self, symbol: str | list[str], callback: _Callback) -> None: ...
