"""Run artifacts: ``trades.csv``, ``equity.parquet``, ``metrics.json`` and ``report.png``.

Every file is a pure function of the run: the same record gives the same bytes (the PNG
carries no software version or date). pyarrow and matplotlib are imported only when
artifacts are written, so the command line starts fast; the plot uses matplotlib's
object API on the Agg canvas (no pyplot, no screen, no global backend switch).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

from bot.domain import Side
from bot.report.metrics import Metrics, drawdown_pct
from bot.report.painter import Painter
from bot.report.record import RunRecord, TradeRecord

TRADE_COLUMNS: Final = (
    "symbol",
    "side",
    "qty",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "pnl",
    "fees",
    "net",
)
EQUITY_COLUMNS: Final = ("ts_ms", "equity", "close", "position")
#: Most points drawn per line: a million bars plot as fast as five thousand.
MAX_PLOT_POINTS: Final = 5_000

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LONG: Final = "tab:green"
_SHORT: Final = "tab:red"


def write_artifacts(
    run: RunRecord, metrics: Metrics, out_dir: Path, painter: Painter | None = None
) -> dict[str, Path]:
    """Write the four artifacts into ``out_dir`` (created if missing); their paths by kind.

    ``painter`` draws ``report.png`` (see :mod:`bot.report.painter`); without one it is
    drawn here.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "trades": out_dir / "trades.csv",
        "equity": out_dir / "equity.parquet",
        "metrics": out_dir / "metrics.json",
        "report": out_dir / "report.png",
    }
    write_trades_csv(run, paths["trades"])
    write_equity_parquet(run, paths["equity"])
    paths["metrics"].write_text(
        json.dumps(metrics.as_dict(), sort_keys=True, indent=2) + "\n", encoding="utf-8"
    )
    if painter is None:
        plot_report(run, metrics, paths["report"])
    else:
        painter.paint(run, metrics, paths["report"])
    return paths


def write_trades_csv(run: RunRecord, path: Path) -> None:
    """One row per round trip; Decimals written exactly (no exponent), times ISO 8601 UTC."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TRADE_COLUMNS)
        for trade in run.trades:
            writer.writerow(
                (
                    trade.symbol,
                    "long" if trade.side is Side.BUY else "short",
                    _exact(trade.qty),
                    iso_utc(trade.entry_ts_ms),
                    _exact(trade.entry_price),
                    iso_utc(trade.exit_ts_ms),
                    _exact(trade.exit_price),
                    _exact(trade.pnl),
                    _exact(trade.fees),
                    _exact(trade.net),
                )
            )


def write_equity_parquet(run: RunRecord, path: Path) -> None:
    """The per-bar curve: ``ts_ms`` (bar open), ``equity``, ``close``, ``position``."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    # Arrays straight from the numpy buffers: ``pa.array`` would import pandas (~0.5 s)
    # only to ask whether its argument is a pandas object.
    columns = {
        "ts_ms": (np.ascontiguousarray(run.ts_ms, dtype=np.int64), pa.int64()),
        "equity": (np.ascontiguousarray(run.equity, dtype=np.float64), pa.float64()),
        "close": (np.ascontiguousarray(run.close, dtype=np.float64), pa.float64()),
        "position": (np.ascontiguousarray(run.position, dtype=np.float64), pa.float64()),
    }
    table = pa.Table.from_arrays(
        [
            pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])
            for values, kind in columns.values()
        ],
        names=list(columns),
    )
    pq.write_table(table, path, compression="zstd")


def iso_utc(ts_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC with milliseconds, e.g. ``2024-01-01T00:00:00.000Z``."""
    moment = _EPOCH + timedelta(milliseconds=ts_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(values: NDArray[np.float64], max_points: int) -> NDArray[np.intp]:
    """Indices that keep each bucket's low and high, at most about ``max_points`` of them.

    Plotting only these draws the same picture as every point (peaks and troughs
    included) at a fraction of the cost.
    """
    count = len(values)
    if count <= max_points:
        return np.arange(count, dtype=np.intp)
    buckets = max(max_points // 2, 1)
    size = -(-count // buckets)
    padded = np.pad(values, (0, size * buckets - count), mode="edge").reshape(buckets, size)
    starts = np.arange(buckets, dtype=np.intp) * size
    lows = starts + np.argmin(padded, axis=1)
    highs = starts + np.argmax(padded, axis=1)
    ends = np.array([0, count - 1], dtype=np.intp)
    return np.unique(np.minimum(np.concatenate((lows, highs, ends)), count - 1))


def load_plotting() -> None:
    """Import the parts of matplotlib :func:`plot_report` uses (to pay for it early)."""
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401


def plot_report(run: RunRecord, metrics: Metrics, path: Path) -> None:
    """Three panels sharing time: equity, drawdown (%), price with entries and exits."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    bar_ms = metrics.end_ts_ms - int(run.ts_ms[-1]) if len(run.ts_ms) else 0
    closes_at = (run.ts_ms + bar_ms).astype("datetime64[ms]")
    drawdown = -drawdown_pct(run)
    with rc_context({"date.converter": "concise", "axes.grid": True, "grid.alpha": 0.3}):
        # fixed margins: a layout engine would cost a third of the drawing time
        figure = Figure(figsize=(12, 9), dpi=100)
        figure.subplots_adjust(left=0.08, right=0.985, bottom=0.05, top=0.945, hspace=0.06)
        equity_ax, drawdown_ax, price_ax = figure.subplots(
            3, 1, sharex=True, height_ratios=(3, 1.4, 3)
        )
        figure.suptitle(
            f"{run.symbol} {run.timeframe}: return {metrics.total_return_pct:,.2f}%, "
            f"max drawdown {metrics.max_drawdown_pct:,.2f}%, {metrics.trades:,} trades"
        )
        keep = envelope(run.equity, MAX_PLOT_POINTS)
        equity_ax.plot(closes_at[keep], run.equity[keep], color="tab:blue", linewidth=1.0)
        equity_ax.axhline(float(run.initial), color="grey", linestyle="--", linewidth=0.8)
        equity_ax.set_ylabel("equity (USDT)")
        equity_ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        keep = envelope(drawdown, MAX_PLOT_POINTS)
        drawdown_ax.fill_between(closes_at[keep], drawdown[keep], 0.0, color=_SHORT, alpha=0.35)
        drawdown_ax.plot(closes_at[keep], drawdown[keep], color=_SHORT, linewidth=0.8)
        drawdown_ax.set_ylabel("drawdown (%)")
        keep = envelope(run.close, MAX_PLOT_POINTS)
        price_ax.plot(closes_at[keep], run.close[keep], color="black", linewidth=0.6, zorder=4)
        # Many trades: smaller markers under the price line, so the price shows through.
        dense = len(run.trades) > 200
        size = 36.0 * min(1.0, math.sqrt(200 / max(len(run.trades), 1)))
        for group in _trade_markers(run.trades):
            price_ax.scatter(
                group.at_ms.astype("datetime64[ms]"),
                group.prices,
                s=size,
                marker=group.marker,
                facecolors=group.colour if group.filled else "none",
                edgecolors=group.colour,
                label=group.label,
                alpha=0.8,
                zorder=3 if dense else 5,
            )
        if run.trades:
            price_ax.legend(loc="upper left", fontsize="small", ncols=4)
        price_ax.set_ylabel("price")
        price_ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,g}"))
        figure.savefig(path, format="png", metadata={"Software": None})


@dataclass(frozen=True, slots=True)
class _Markers:
    """One group of trade markers for the price panel (times in epoch ms)."""

    at_ms: NDArray[np.int64]
    prices: NDArray[np.float64]
    marker: str
    colour: str
    filled: bool
    label: str


def _trade_markers(trades: tuple[TradeRecord, ...]) -> list[_Markers]:
    """Filled triangles at entries, hollow at exits; up = buy, down = sell."""
    groups: list[_Markers] = []
    for side, colour, name in ((Side.BUY, _LONG, "long"), (Side.SELL, _SHORT, "short")):
        chosen = [trade for trade in trades if trade.side is side]
        if not chosen:
            continue
        up_then_down = side is Side.BUY
        groups.append(
            _Markers(
                at_ms=np.array([t.entry_ts_ms for t in chosen], dtype=np.int64),
                prices=np.array([float(t.entry_price) for t in chosen], dtype=np.float64),
                marker="^" if up_then_down else "v",
                colour=colour,
                filled=True,
                label=f"{name} entry",
            )
        )
        groups.append(
            _Markers(
                at_ms=np.array([t.exit_ts_ms for t in chosen], dtype=np.int64),
                prices=np.array([float(t.exit_price) for t in chosen], dtype=np.float64),
                marker="v" if up_then_down else "^",
                colour=colour,
                filled=False,
                label=f"{name} exit",
            )
        )
    return groups


def _exact(value: Decimal) -> str:
    return format(value, "f")
