"""Coarser candles from finer ones, bucketed by UTC clock time.

A candle of ``bucket`` seconds holds every source candle whose open time ``t`` has
``floor(t / bucket) == k``; it opens at ``k * bucket``. open is the first open, high
the highest high, low the lowest low, close the last close and volume the sum. A bucket
with missing source candles (a gap in the data) still forms a candle from the ones it
has; a bucket with none forms no candle (no invented flat bars). Day candles run from
00:00 UTC.
"""

from __future__ import annotations

import numpy as np

from bot.data.candles import Candles
from bot.errors import DataError


def resample(candles: Candles, bucket_seconds: int) -> Candles:
    """``candles`` as ``bucket_seconds`` candles (a whole multiple of their own step).

    Source candles must open on their own step grid (e.g. whole minutes), so that each
    one falls wholly inside one bucket; otherwise DataError.
    """
    bucket_ms = bucket_seconds * 1000
    if bucket_seconds < 1:
        raise DataError("resample", f"bucket of {bucket_seconds} s; at least 1 s is needed")
    step = candles.step_ms
    if len(candles) == 0 or step is None:
        return _aggregate(candles, bucket_ms)
    if bucket_ms % step:
        raise DataError(
            "resample", f"{bucket_seconds} s is not a whole multiple of the {step // 1000} s step"
        )
    off_grid = np.flatnonzero(candles.ts_ms % step)
    if off_grid.size:
        index = int(off_grid[0])
        raise DataError(
            "resample",
            f"timestamp {int(candles.ts_ms[index])} is not on the {step // 1000} s grid",
            row=index + 1,
            column="timestamp",
        )
    return _aggregate(candles, bucket_ms)


def _aggregate(candles: Candles, bucket_ms: int) -> Candles:
    if len(candles) == 0:
        return candles
    buckets = candles.ts_ms // bucket_ms
    starts = np.flatnonzero(np.concatenate(([True], buckets[1:] != buckets[:-1])))
    ends = np.append(starts[1:], len(candles)) - 1
    return Candles.checked(
        (
            buckets[starts] * bucket_ms,
            candles.open[starts],
            np.maximum.reduceat(candles.high, starts),
            np.minimum.reduceat(candles.low, starts),
            candles.close[ends],
            np.add.reduceat(candles.volume, starts),
        ),
        f"resample to {bucket_ms // 1000} s",
    )
