"""Candle sources: seeded synthetic candles and CSV/Parquet files, checked once on load.

Public surface:

- :class:`Candles`: columnar OHLCV (numpy), read-only, always valid; ``bar(i)``.
- :func:`load_candles`: the candles a run uses, from data settings and the seed.
- :func:`synthetic_candles`, :func:`read_candles`, :func:`write_csv`,
  :func:`write_parquet`, :func:`resample`, :func:`check_candles`.

Every refusal is a :class:`bot.errors.DataError` naming the source, row and column.
"""

from typing import TYPE_CHECKING

from bot.data.candles import Candles, check_candles
from bot.data.load import load_candles
from bot.data.resample import resample
from bot.data.synthetic import synthetic_candles

if TYPE_CHECKING:
    from bot.data.files import read_candles, write_csv, write_parquet

#: Loaded on first use: they need pyarrow (about 30 MiB and 0.1 s to import).
_FILES = ("read_candles", "write_csv", "write_parquet")


def __getattr__(name: str) -> object:
    if name in _FILES:
        from bot.data import files

        return getattr(files, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Candles",
    "check_candles",
    "load_candles",
    "read_candles",
    "resample",
    "synthetic_candles",
    "write_csv",
    "write_parquet",
]
