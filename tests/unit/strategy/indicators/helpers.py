"""Shared test helpers: run a streaming indicator over columns, compare with NaN care."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Parity tolerance: |a - b| <= TOL * max(1, |a|), i.e. absolute below 1, relative above.
TOL = 1e-9


def arr(*values: float) -> FloatArray:
    """A float64 array of ``values``."""
    return np.array(values, dtype=np.float64)


def stream(update: Callable[..., object], *columns: FloatArray) -> list[tuple[float, ...]]:
    """Feed the rows of ``columns`` to ``update``; each result as a tuple of floats."""
    rows: list[tuple[float, ...]] = []
    for bar in zip(*(column.tolist() for column in columns), strict=True):
        result = update(*bar)
        rows.append((result,) if isinstance(result, float) else tuple(result))  # type: ignore[arg-type]
    return rows


def column(rows: Sequence[tuple[float, ...]], index: int = 0) -> FloatArray:
    """Output ``index`` of streamed ``rows`` as an array."""
    return np.array([row[index] for row in rows], dtype=np.float64)


def assert_series(actual: FloatArray, expected: Sequence[float]) -> None:
    """``actual`` equals ``expected`` (NaN where NaN is expected), to 1e-12 relative."""
    assert len(actual) == len(expected)
    for index, (got, want) in enumerate(zip(actual.tolist(), expected, strict=True)):
        if math.isnan(want):
            assert math.isnan(got), f"index {index}: {got} during warm-up, expected NaN"
        else:
            assert got == np.float64(want) or math.isclose(got, want, rel_tol=1e-12), (
                f"index {index}: {got} != {want}"
            )


def max_parity_error(vectorised: FloatArray, streamed: FloatArray) -> float:
    """Largest ``|a - b| / max(1, |a|)``; the NaN (warm-up) masks must be identical."""
    assert np.array_equal(np.isnan(vectorised), np.isnan(streamed)), "warm-up masks differ"
    ready = ~np.isnan(vectorised)
    if not ready.any():
        return 0.0
    scale = np.maximum(1.0, np.abs(vectorised[ready]))
    return float(np.max(np.abs(vectorised[ready] - streamed[ready]) / scale))
