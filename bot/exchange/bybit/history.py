"""Kline history from Bybit's public market data: a keyless client and a paged download.

``/v5/market/kline`` is public: :func:`public_rest` builds the adapter on a pybit client
without credentials (nothing signed can go through it, and no key is needed or exposed).
:func:`klines_between` pages backwards through a time range, :data:`KLINE_PAGE` candles
per request, and answers every candle once, in time order, or raises: a partial history
is never returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.config.schema import Network
from bot.config.settings import BybitEndpoints, BybitSettings, Secret
from bot.domain import Bar, Symbol
from bot.errors import ExchangeError
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.exchange.bybit.wire import malformed

#: Most candles one ``/v5/market/kline`` request returns.
KLINE_PAGE: Final = 1000
#: Candle length in ms of each Bybit kline interval (``M`` is calendar-based: not paged).
KLINE_INTERVAL_MS: Final = {
    "1": 60_000,
    "3": 180_000,
    "5": 300_000,
    "15": 900_000,
    "30": 1_800_000,
    "60": 3_600_000,
    "120": 7_200_000,
    "240": 14_400_000,
    "360": 21_600_000,
    "720": 43_200_000,
    "D": 86_400_000,
    "W": 604_800_000,
}
_ENDPOINT: Final = "GET /v5/market/kline"


def public_rest(rest_url: str, *, timeout_s: int = 10, http: BybitHttp | None = None) -> BybitRest:
    """A :class:`BybitRest` at ``rest_url`` for public market data only, without keys.

    pybit's client gets no credentials: a signed call is refused client-side
    (``Authenticated endpoints require keys``). It never retries on its own except for
    10002/10006 (refused without acting). ``http`` replaces the pybit client (tests).
    """
    url = rest_url.rstrip("/")
    if http is None:
        from pybit.unified_trading import HTTP

        client = HTTP(
            api_key=None,
            api_secret=None,
            timeout=timeout_s,
            force_retry=False,
            max_retries=2,
            retry_delay=1,
            retry_codes={10002, 10006},
            log_requests=False,
        )
        client.endpoint = url
        http = client
    # BybitRest reads only the REST URL (and the keys, when it builds its own client).
    settings = BybitSettings(
        network=Network.mainnet,
        endpoints=BybitEndpoints(url, "", ""),
        api_key=Secret(""),
        api_secret=Secret(""),
        confirm_mainnet=False,
        recv_window_ms=5000,
        timeout_s=timeout_s,
    )
    return BybitRest(settings, http=http)


def klines_between(
    rest: BybitRest,
    symbol: Symbol,
    interval: str,
    start_ms: int,
    end_ms: int,
    *,
    on_page: Callable[[int], None] | None = None,
) -> tuple[list[Bar], int]:
    """Every candle of ``interval`` starting in ``[start_ms, end_ms]``, oldest first, and
    the number of requests it took.

    Pages backwards from ``end_ms`` (the venue answers the newest candles of a range
    first) until a short page or ``start_ms``. Raises :class:`~bot.errors.ExchangeError`
    (or its MalformedResponse) for a candle outside the asked range, two different
    candles with the same start, or more pages than the range can hold. The newest
    candle may still be open: the caller drops it. ``on_page`` is told how many candles
    each page brought (a progress bar).
    """
    length = KLINE_INTERVAL_MS.get(interval)
    if length is None:
        allowed = ", ".join(KLINE_INTERVAL_MS)
        raise ExchangeError(f"{_ENDPOINT}: interval {interval!r} cannot be paged ({allowed})")
    if start_ms > end_ms:
        return [], 0
    most_pages = (end_ms - start_ms) // (length * KLINE_PAGE) + 2
    found: dict[int, Bar] = {}
    until = end_ms
    for pages in range(1, most_pages + 1):
        page = rest.klines_range(symbol, interval, start_ms, until, limit=KLINE_PAGE)
        for bar in page:
            if not start_ms <= bar.ts_ms <= until:
                raise malformed(_ENDPOINT, "start", bar.ts_ms, f"a start in [{start_ms}, {until}]")
            if found.setdefault(bar.ts_ms, bar) != bar:
                raise malformed(_ENDPOINT, "start", bar.ts_ms, "one candle per start time")
        if len(page) < KLINE_PAGE or page[0].ts_ms <= start_ms:
            if on_page is not None:
                on_page(len(page))
            return [found[ts] for ts in sorted(found)], pages
        if on_page is not None:
            on_page(len(page))
        until = page[0].ts_ms - 1
    raise ExchangeError(
        f"{_ENDPOINT}: more than {most_pages} pages of {symbol} {interval} from {start_ms} "
        f"to {end_ms}; refusing a partial history"
    )
