"""Misuse of the pybit stubs: mypy must refuse every marked line."""

from pybit.unified_trading import HTTP, WebSocket


def base_url_is_not_a_constructor_argument() -> HTTP:
    return HTTP(endpoint="http://127.0.0.1:1")  # expect: call-arg


def websocket_needs_testnet() -> WebSocket:
    return WebSocket("linear")  # expect: call-arg


def answers_are_dicts(http: HTTP) -> list[str]:
    return http.get_tickers(category="linear")  # expect: return-value
