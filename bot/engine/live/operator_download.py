"""``task=download``: Bybit klines into a Parquet file that ``data=file`` backtests.

The kline endpoint is public, so no key is used or needed: the client is built without
credentials (:func:`bot.exchange.bybit.history.public_rest`). Where the klines come from:

- ``exchange=bybit``: the configured REST URL (``exchange.rest_url``, e.g. a proxy or
  the fake), else the network's official one; ``demo`` reads mainnet's market data
  (demo trading runs on mainnet prices).
- ``exchange=sim``: Bybit mainnet's public market data (nothing is traded).

The window is ``task.days`` ending at ``task.end`` (or the venue's now), rounded down to
a whole candle: exactly the candles that have closed by then, paged 1000 at a time,
deduplicated and sorted. They pass the same checks as every candle file
(:func:`bot.data.candles.check_candles`), are written with pyarrow to a temporary file
beside ``task.path``, read back with the ``data=file`` reader, and only then renamed
onto ``task.path``: a download that fails at any point leaves no file (and an existing
file untouched).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config.schema import Network
from bot.config.settings import (
    OFFICIAL_ENDPOINTS,
    TIMEFRAME_SECONDS,
    BybitSettings,
    DownloadTaskSettings,
)
from bot.data.candles import CandleColumns, Candles, iso_ms
from bot.data.files import read_candles, write_parquet
from bot.domain import Bar
from bot.engine.live.road import kline_interval
from bot.engine.settings import Settings
from bot.errors import BotError, OperatorTaskFailed
from bot.exchange.bybit.history import klines_between, public_rest
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.report.progress import Progress

_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class DownloadReport:
    """What ``download`` wrote: the file, the candles, the window and the requests."""

    path: Path
    candles: int
    first_ms: int
    last_ms: int
    expected: int
    pages: int
    source: str


def market_data_url(settings: Settings) -> str:
    """The REST URL klines are read from (see the module docstring)."""
    exchange = settings.exchange
    if not isinstance(exchange, BybitSettings):
        return OFFICIAL_ENDPOINTS[Network.mainnet].rest
    demo = OFFICIAL_ENDPOINTS[Network.demo].rest
    if exchange.network is Network.demo and exchange.endpoints.rest == demo:
        return OFFICIAL_ENDPOINTS[Network.mainnet].rest
    return exchange.endpoints.rest


def download_task(
    settings: Settings, task: DownloadTaskSettings, *, http: BybitHttp | None = None
) -> DownloadReport:
    """Download the task's klines into ``task.path``; OperatorTaskFailed if none is written.

    ``http`` replaces pybit's keyless REST client (tests).
    """
    url = market_data_url(settings)
    timeout = settings.exchange.timeout_s if isinstance(settings.exchange, BybitSettings) else 10
    rest = public_rest(url, timeout_s=timeout, http=http)
    try:
        report = _download(rest, task, url)
    except BotError as error:
        raise OperatorTaskFailed(
            f"download of {task.symbol} {task.timeframe} failed; nothing was written to "
            f"{task.path}: {' '.join(str(error).split())}"
        ) from error
    finally:
        rest.close()
    missing = report.expected - report.candles
    print(
        f"downloaded {report.candles} closed {task.timeframe} candles of {task.symbol} from "
        f"{iso_ms(report.first_ms)} to {iso_ms(report.last_ms)} ({report.pages} request(s) "
        f"to {url}) into {report.path}"
        + (f"; {missing} candle(s) of the window are missing on the venue" if missing else "")
    )
    print(
        f"backtest it: python -m bot data=file data.path={report.path} "
        f"data.timeframe={task.timeframe} symbol={task.symbol}"
    )
    return report


def _download(rest: BybitRest, task: DownloadTaskSettings, url: str) -> DownloadReport:
    step = TIMEFRAME_SECONDS[task.timeframe] * 1000
    venue_now = rest.server_time_ms()
    wanted = venue_now if task.end is None else int(task.end.timestamp() * 1000)
    end = min(wanted, venue_now) // step * step  # candles that have closed by then
    start = end - task.days * _DAY_MS
    progress = Progress((end - start) // step, label=f"download {task.symbol} {task.timeframe}")
    try:
        interval = kline_interval(task.timeframe)
        bars, pages = klines_between(
            rest, task.symbol, interval, start, end - 1, on_page=progress.advance
        )
    finally:
        progress.close()
    closed = [bar for bar in bars if bar.ts_ms + step <= end]
    if not closed:
        raise OperatorTaskFailed(
            f"the venue has no closed {task.timeframe} candle of {task.symbol} between "
            f"{iso_ms(start)} and {iso_ms(end)}"
        )
    off_grid = [bar.ts_ms for bar in closed if bar.ts_ms % step]
    if off_grid:
        raise OperatorTaskFailed(
            f"candle start {iso_ms(off_grid[0])} is not on the {task.timeframe} grid"
        )
    source = f"{url} kline {task.symbol} {task.timeframe}"
    candles = Candles.checked(_columns(closed), source)
    write_atomically(candles, task.path)
    return DownloadReport(
        path=task.path,
        candles=len(candles),
        first_ms=closed[0].ts_ms,
        last_ms=closed[-1].ts_ms,
        expected=(end - start) // step,
        pages=pages,
        source=source,
    )


def _columns(bars: list[Bar]) -> CandleColumns:
    """The candle columns (float64 prices, as every candle source holds them)."""
    ts = np.array([bar.ts_ms for bar in bars], dtype=np.int64)
    o, h, lo, c, v = (
        np.array([float(getattr(bar, name)) for bar in bars], dtype=np.float64)
        for name in ("open", "high", "low", "close", "volume")
    )
    return ts, o, h, lo, c, v


def write_atomically(candles: Candles, path: Path) -> None:
    """Write ``candles`` to ``path`` as Parquet, all or nothing.

    The file is written beside ``path`` under a temporary name, read back with the
    ``data=file`` reader and compared, then renamed onto ``path`` (atomic on one file
    system). On any failure the temporary file is removed and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.parquet")
    try:
        write_parquet(candles, partial)
        if not read_candles(partial).identical(candles):
            raise OperatorTaskFailed(f"{partial} does not read back as written")
        os.replace(partial, path)
    except OSError as error:
        raise OperatorTaskFailed(f"cannot write {path}: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
