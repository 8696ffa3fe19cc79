"""The real pybit clients pointed at the fake (or any loopback URL).

pybit builds ``https://`` and ``wss://`` URLs itself; ``HTTP.endpoint`` is read at every
call, and ``WebSocket._connect(url)`` is used by the constructor and every reconnect,
so these subclasses only redirect the URL (see the reference notes, sections 1 and 2.1).
"""

from __future__ import annotations

from typing import Any

from pybit.unified_trading import HTTP, WebSocket


class LoopbackHTTP(HTTP):
    """``pybit.unified_trading.HTTP`` sending every request to ``base_url``."""

    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.endpoint = base_url


class LoopbackWebSocket(WebSocket):
    """``pybit.unified_trading.WebSocket`` connecting (and reconnecting) to ``ws_url``."""

    def __init__(self, channel_type: str, *, ws_url: str, **kwargs: Any) -> None:
        self._ws_url_override = ws_url
        kwargs.setdefault("testnet", False)
        super().__init__(channel_type, **kwargs)

    def _connect(self, url: str) -> None:
        super()._connect(self._ws_url_override)
