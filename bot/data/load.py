"""The candles a run uses: from the configured source, at the configured timeframe."""

from __future__ import annotations

from bot.config.settings import FileDataSettings, SyntheticDataSettings
from bot.data.candles import Candles
from bot.data.resample import resample
from bot.data.synthetic import MINUTE_MS, synthetic_candles
from bot.errors import DataError


def load_candles(settings: SyntheticDataSettings | FileDataSettings, *, seed: int) -> Candles:
    """Candles at ``settings.timeframe``, resampled when the source is finer.

    Synthetic candles are generated per minute from ``seed`` and resampled. A file's
    candle length is the smallest gap between its timestamps; a file coarser than the
    timeframe asked for is refused, as is one whose length does not divide it.
    """
    target_ms = settings.bar_seconds * 1000
    if isinstance(settings, SyntheticDataSettings):
        minutes = settings.days * 1440
        candles = synthetic_candles(seed, settings.start, minutes)
        return candles if target_ms == MINUTE_MS else resample(candles, settings.bar_seconds)
    from bot.data.files import read_candles  # pyarrow loads only for a file source

    candles = read_candles(settings.path)
    step = candles.step_ms
    if step is None or step == target_ms:
        return candles
    source = str(settings.path)
    if step > target_ms:
        raise DataError(
            source,
            f"the file's candles are {_length(step)} apart at the closest, coarser than "
            f"data.timeframe={settings.timeframe}; choose a timeframe of at least "
            f"{_length(step)} or a finer file",
        )
    if target_ms % step:
        raise DataError(
            source,
            f"the file's candle length {_length(step)} does not divide "
            f"data.timeframe={settings.timeframe}",
        )
    try:
        return resample(candles, settings.bar_seconds)
    except DataError as error:
        raise DataError(source, error.reason, row=error.row, column=error.column) from None


def _length(ms: int) -> str:
    seconds = ms // 1000
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
