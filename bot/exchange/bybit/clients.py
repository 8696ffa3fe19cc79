"""Building pybit's clients from :class:`~bot.config.settings.BybitSettings`.

pybit derives its URLs from ``testnet``/``demo``/``domain``; it cannot aim at a proxy or
at a loopback fake. Both clients are therefore pointed at the configured URL explicitly:
the REST client through its ``endpoint`` attribute (read at every call), the stream
through a subclass whose ``_connect`` ignores pybit's template (used for the first
connection and for every reconnect). The configured endpoints are already resolved
(official URLs per network, or the overrides), so one road serves production and tests.

This module imports ``pybit.unified_trading`` (about 0.15 s): the rest of the adapter
imports it only when a client is built. Keys leave their
:class:`~bot.config.settings.Secret` only inside the constructor calls below; nothing
here logs them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from pybit.unified_trading import HTTP, WebSocket

from bot.config.settings import BybitSettings, Secret

#: Attempts per request inside pybit: retry-code answers (10002, 10006) only, which
#: never double an order; network errors are never retried (``force_retry`` off).
HTTP_MAX_ATTEMPTS: Final = 2
#: Seconds pybit sleeps before resending after 10002 (10006 sleeps until the reset time).
HTTP_RETRY_DELAY_S: Final = 1
#: Codes pybit resends itself: the venue refused without acting, so resending is safe.
HTTP_RETRY_CODES: Final = frozenset({10002, 10006})
#: Connection attempts per (re)connect inside pybit. Never 0 (an endless busy loop) and
#: never 1 (pybit 5.17.0 gives up even when that one attempt succeeds).
WS_RETRIES: Final = 3


def make_http(settings: BybitSettings) -> HTTP:
    """A pybit REST client aimed at ``settings.endpoints.rest``; never retries on its own."""
    client = HTTP(
        api_key=settings.api_key.reveal(),
        api_secret=settings.api_secret.reveal(),
        timeout=settings.timeout_s,
        recv_window=settings.recv_window_ms,
        force_retry=False,
        max_retries=HTTP_MAX_ATTEMPTS,
        retry_delay=HTTP_RETRY_DELAY_S,
        retry_codes=set(HTTP_RETRY_CODES),
        log_requests=False,
    )
    client.endpoint = settings.endpoints.rest.rstrip("/")
    return client


def make_websocket(
    channel_type: str,
    url: str,
    *,
    on_connected: Callable[[], None],
    api_key: Secret | None = None,
    api_secret: Secret | None = None,
    ping_interval_s: int = 20,
    ping_timeout_s: int = 10,
) -> WebSocket:
    """A pybit stream connected to ``url`` (connects before returning, or raises).

    ``on_connected`` runs after every successful connect and reconnect (auth and
    resubscribe messages sent); it must not raise.
    """

    class ConfiguredWebSocket(WebSocket):
        """pybit's stream with the URL fixed to the configured one, reconnects included."""

        def _connect(self, url_template: str) -> None:
            super()._connect(url)
            on_connected()

    return ConfiguredWebSocket(
        channel_type,
        testnet=False,
        api_key=None if api_key is None else api_key.reveal(),
        api_secret=None if api_secret is None else api_secret.reveal(),
        ping_interval=ping_interval_s,
        ping_timeout=ping_timeout_s,
        retries=WS_RETRIES,
        restart_on_error=True,
        trace_logging=False,
    )
