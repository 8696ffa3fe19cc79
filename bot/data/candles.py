"""Columnar candles and the one vectorised check every source passes before use.

Candles are float64 columns: they come from files and generators and feed indicators.
Money math happens elsewhere, in Decimal; :meth:`Candles.bar` turns one row into a
validated :class:`~bot.domain.Bar` with Decimal prices when the engine needs one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain import Bar, Price
from bot.domain.hotpath import hot_path
from bot.domain.market import MIN_TIMESTAMP_MS
from bot.errors import DataError

#: Latest open time accepted (2100-01-01 UTC, ms); catches microseconds given for ms.
MAX_TIMESTAMP_MS: Final = 4_102_444_800_000

Timestamps = npt.NDArray[np.int64]
Column = npt.NDArray[np.float64]
#: The six columns in order: ts_ms, open, high, low, close, volume.
CandleColumns = tuple[Timestamps, Column, Column, Column, Column, Column]
#: Says where a 0-based row is, for an error: ``(row, line)``; ``line`` is None off text.
RowLocator = Callable[[int], tuple[int, int | None]]
#: One rule: rows that break it, the column blamed, a message template and its values.
Check = tuple[npt.NDArray[np.bool_], str, str, tuple[npt.NDArray[np.generic], ...]]

PRICE_COLUMNS: Final = ("open", "high", "low", "close")
COLUMNS: Final = ("timestamp", *PRICE_COLUMNS, "volume")


def data_rows(index: int) -> tuple[int, int | None]:
    """Row numbers of a source without a header line: the first candle is row 1."""
    return index + 1, None


def csv_rows(index: int) -> tuple[int, int | None]:
    """Row numbers of a CSV file: the first candle is row 1, on line 2 under the header."""
    return index + 1, index + 2


def iso_ms(ts_ms: int) -> str:
    """``ts_ms`` as ISO 8601 in UTC, for messages."""
    text = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


@dataclass(frozen=True, slots=True, eq=False)
class Candles:
    """OHLCV candles in columns, oldest first; every instance has passed :func:`check_candles`.

    ``ts_ms`` is the open time of each candle in epoch milliseconds (UTC). The arrays are
    read-only. Slicing (``candles[100:200]``) gives candles again; ``bar(i)`` one Bar.
    """

    ts_ms: Timestamps
    open: Column
    high: Column
    low: Column
    close: Column
    volume: Column

    def __post_init__(self) -> None:
        check_candles(
            (self.ts_ms, self.open, self.high, self.low, self.close, self.volume), "candles"
        )
        _freeze(self)

    @classmethod
    def checked(
        cls,
        columns: CandleColumns,
        source: str,
        rows: RowLocator = data_rows,
    ) -> Candles:
        """Check ``columns`` (ts_ms, open, high, low, close, volume) once and wrap them.

        A failure names ``source`` and the row as ``rows`` numbers it.
        """
        check_candles(columns, source, rows)
        return cls._trusted(columns)

    @classmethod
    def _trusted(cls, columns: CandleColumns) -> Candles:
        """Wrap columns known to be valid (already checked, or a slice of valid candles)."""
        candles = object.__new__(cls)
        for name, column in zip(("ts_ms", *PRICE_COLUMNS, "volume"), columns, strict=True):
            object.__setattr__(candles, name, column)
        _freeze(candles)
        return candles

    def __len__(self) -> int:
        return int(self.ts_ms.shape[0])

    def __getitem__(self, rows: slice) -> Candles:
        if not isinstance(rows, slice) or rows.step not in (None, 1):
            raise TypeError("candles are sliced with [start:stop]; use bar(i) for one candle")
        return Candles._trusted(
            (
                self.ts_ms[rows],
                self.open[rows],
                self.high[rows],
                self.low[rows],
                self.close[rows],
                self.volume[rows],
            )
        )

    def bar(self, index: int, tick: Decimal | None = None) -> Bar:
        """Candle ``index`` as a validated Bar with Decimal prices.

        Prices come from the shortest decimal that reads back as the same float
        (``repr``), or, with ``tick``, the nearest multiple of ``tick``.
        """
        length = len(self)
        if not -length <= index < length:
            raise IndexError(f"candle {index} of {length}")

        return Bar(
            ts_ms=int(self.ts_ms[index]),
            open=_price(self.open, index, tick),
            high=_price(self.high, index, tick),
            low=_price(self.low, index, tick),
            close=_price(self.close, index, tick),
            volume=Decimal(repr(float(self.volume[index]))),
        )

    def identical(self, other: Candles) -> bool:
        """True when every column holds the same values, bit for bit."""
        return all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in ("ts_ms", *PRICE_COLUMNS, "volume")
        )

    @property
    def step_ms(self) -> int | None:
        """Smallest gap between consecutive open times (the candle length), None below 2."""
        if len(self) < 2:
            return None
        return int(np.diff(self.ts_ms).min())


@hot_path
def _price(column: Column, index: int, tick: Decimal | None) -> Price:
    # module level on purpose: beartype's import hook re-decorates a nested annotated
    # function on every call of its parent, which costs ~1 ms a bar
    value = float(column[index])
    if tick is None:
        return Price(Decimal(repr(value)))
    # whole ticks times the tick: exact, and no string round trip
    return Price(Decimal(round(value / float(tick))) * tick)


def _freeze(candles: Candles) -> None:
    for name in ("ts_ms", *PRICE_COLUMNS, "volume"):
        view = getattr(candles, name).view()
        view.flags.writeable = False
        object.__setattr__(candles, name, view)


def _first(mask: npt.NDArray[np.bool_]) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _layout(ts: Timestamps, columns: tuple[Column, ...], source: str) -> None:
    arrays = (ts, *columns)
    if any(not isinstance(a, np.ndarray) or a.ndim != 1 for a in arrays):
        raise DataError(source, "every column must be a one-dimensional numpy array")
    if ts.dtype != np.int64 or any(c.dtype != np.float64 for c in columns):
        raise DataError(source, "timestamps must be int64 and prices/volume float64")
    if len({a.shape[0] for a in arrays}) != 1:
        raise DataError(source, f"columns differ in length: {[a.shape[0] for a in arrays]}")


def check_candles(columns: CandleColumns, source: str, rows: RowLocator = data_rows) -> None:
    """Raise :class:`DataError` at the first row that breaks a candle rule, else return.

    Rules, checked in this order within a row: every number finite; prices > 0;
    volume >= 0; low <= open, close <= high; open time within 2015..2100 in epoch ms and
    strictly after the previous row's. The first failing row wins.
    """
    ts, o, h, lo, c, v = columns
    _layout(ts, (o, h, lo, c, v), source)
    named = dict(zip((*PRICE_COLUMNS, "volume"), (o, h, lo, c, v), strict=True))
    checks: list[Check] = [
        (~np.isfinite(col), name, f"{name} {{}} is not finite", (col,))
        for name, col in named.items()
    ]
    checks += [(named[n] <= 0, n, f"{n} {{}} is not above 0", (named[n],)) for n in PRICE_COLUMNS]
    checks.append((v < 0, "volume", "volume {} is negative", (v,)))
    for name in ("open", "close"):
        col = named[name]
        checks.append((lo > col, "low", f"low {{}} is above {name} {{}}", (lo, col)))
        checks.append((h < col, "high", f"high {{}} is below {name} {{}}", (h, col)))
    checks += _time_checks(ts)
    failures = [(i, k) for k, check in enumerate(checks) if (i := _first(check[0])) is not None]
    if not failures:
        return
    index, k = min(failures)
    _, column, template, values = checks[k]
    reason = template.format(*(_number(x[index]) for x in values))
    row, line = rows(index)
    raise DataError(source, reason, row=row, line=line, column=column)


def _number(value: np.generic) -> str:
    """A cell as a trader would write it: 100.5, 1704067200000 (2024-01-01T00:00:00Z)."""
    if isinstance(value, np.integer):
        ms = int(value)
        return f"{ms} ({iso_ms(ms)})" if MIN_TIMESTAMP_MS <= ms < MAX_TIMESTAMP_MS else str(ms)
    return repr(float(value))


def _time_checks(ts: Timestamps) -> list[Check]:
    early, late = ts < MIN_TIMESTAMP_MS, ts >= MAX_TIMESTAMP_MS
    repeat = np.zeros(ts.shape, dtype=np.bool_)
    before = np.zeros(ts.shape, dtype=np.bool_)
    previous = np.empty_like(ts)
    if ts.shape[0] > 1:
        repeat[1:] = ts[1:] == ts[:-1]
        before[1:] = ts[1:] < ts[:-1]
        previous[1:] = ts[:-1]
    span = f"{MIN_TIMESTAMP_MS}..{MAX_TIMESTAMP_MS} (2015..2100 in epoch milliseconds"
    order = "; timestamps must strictly increase"
    return [
        (early, "timestamp", f"timestamp {{}} is outside {span}; seconds given?)", (ts,)),
        (late, "timestamp", f"timestamp {{}} is outside {span}; micro- or nanoseconds?)", (ts,)),
        (repeat, "timestamp", "timestamp {} repeats the previous row's" + order, (ts,)),
        (
            before,
            "timestamp",
            "timestamp {} is before the previous row's {}" + order,
            (ts, previous),
        ),
    ]
