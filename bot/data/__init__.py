"""Candle sources: seeded synthetic candles and CSV/Parquet files, checked once on load.

Public surface:

- :class:`Candles`: columnar OHLCV (numpy), read-only, always valid; ``bar(i)``.
- :func:`load_candles`: the candles a run uses, from data settings and the seed.
- :func:`synthetic_candles`, :func:`read_candles`, :func:`write_csv`,
  :func:`write_parquet`, :func:`resample`, :func:`check_candles`.

Every refusal is a :class:`bot.errors.DataError` naming the source, row and column.
"""

from bot.data.candles import Candles, check_candles
from bot.data.files import read_candles, write_csv, write_parquet
from bot.data.load import load_candles
from bot.data.resample import resample
from bot.data.synthetic import synthetic_candles

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
