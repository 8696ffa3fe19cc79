"""The equity of a one-symbol account over many closes at once, as the venue reports it.

Between two fills the venue's equity at a close ``P`` is
``money(wallet + sign * (size * P - cost))`` in Decimal (:func:`marked_value`), and the
backtest records ``float`` of it. With ``P = ticks * tick`` that is ``A + B * ticks``
for two Decimals fixed by the position, so the whole stretch is computed in exact
integer arithmetic (scaled by a power of ten, rounded half-even to the money quantum
like the venue) and divided once, correctly rounded, into floats: the same floats the
venue's Decimals give. Numbers too long for the venue's 28-digit Decimal context (where
the venue itself would round) fall back to float arithmetic, equal to float precision.
"""

from __future__ import annotations

from array import array
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue
from bot.exchange.sim.fees import money
from bot.exchange.sim.marking import Marking

Ints = npt.NDArray[np.int64]

#: Decimal places of the money the venue books (``bot.exchange.sim.fees.MONEY_QUANTUM``).
MONEY_PLACES: Final = 12
#: Digits the venue's Decimal context keeps exactly.
_EXACT_DIGITS: Final = 27
_EXACT_LIMIT: Final = 10**_EXACT_DIGITS
_UNIT: Final = 10**MONEY_PLACES
#: Room for ``rest + b * t`` in an int64 (:class:`EquityBackfill`).
_INT64_ROOM: Final = 2**62
#: Where ``whole + r / 10**12`` in floats is correctly rounded (:class:`EquityBackfill`).
_SPLIT_FLOOR: Final = 2**27
_SPLIT_CEILING: Final = 2**52
#: Integers below this are exact in a float.
_FLOAT_EXACT: Final = 2**53
#: Closes are counted in whole ticks up to here (exact in a float, room in an int64).
_MOST_TICKS: Final = 2**53
#: Stretches written per vectorised step: bounds the temporary arrays.
_CHUNK: Final = 2048


@hot_path
def _scaled(value: Decimal, places: int) -> int:
    """``value * 10**places`` as an int (exact: ``value`` has at most ``places`` places,
    and moving the exponent never rounds the coefficient)."""
    return int(value.scaleb(places))


@hot_path
def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@hot_path
def marked_value(marking: Marking, price: Decimal) -> Decimal:
    """The equity the venue reports for this account (no other symbol held) when the
    last price is ``price``: :meth:`SimExchange.equity_at
    <bot.exchange.sim.SimExchange.equity_at>`'s own Decimal operations, in its order."""
    if not marking.sign:
        return money(marking.wallet)
    return money(marking.wallet + marking.sign * (marking.size * price - marking.cost))


class EquityLine:
    """The equity of one marking as a function of the close in whole ticks ``t``:
    ``(a + b * t) / 10**places``, rounded half-even to the money quantum, in exact
    integers worked out once (``flat`` is the equity when no position is held)."""

    __slots__ = ("_base", "_slope", "a", "b", "flat", "places")
    # declared here, not where assigned: beartype checks an annotated assignment each time
    flat: float | None

    def __init__(self, marking: Marking, tick: Decimal) -> None:
        self.flat = None
        self.places = MONEY_PLACES
        if not marking.sign:
            self.flat = float(marking.wallet)
            self.a = self.b = 0
            self._base = self._slope = marking.wallet
            return
        base = marking.wallet - marking.sign * marking.cost
        slope = marking.sign * marking.size * tick
        scaled_base, scaled_slope = base.scaleb(MONEY_PLACES), slope.scaleb(MONEY_PLACES)
        self.a, self.b = int(scaled_base), int(scaled_slope)
        if self.a != scaled_base or self.b != scaled_slope:  # more places than the quantum
            self.places = max(MONEY_PLACES, _places(base), _places(slope))
            self.a, self.b = _scaled(base, self.places), _scaled(slope, self.places)
        self._base, self._slope = base, slope

    @hot_path
    def stretch(self, ticks: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.float64], float, float]:
        """Equity at each close of ``ticks`` (at least one), with its lowest and highest
        value (:meth:`bounds` of its extreme closes). Numbers too long to be exact are
        worked in floats."""
        if self.flat is not None:
            flat = self.flat
            return np.full(len(ticks), flat), flat, flat
        whole = ticks.tolist()
        least, most = min(whole), max(whole)
        span = self.bounds(least, most)
        if span is None:
            base, slope = float(self._base), float(self._slope)
            ends = (base + slope * least, base + slope * most)
            return base + slope * ticks.astype(np.float64), min(ends), max(ends)
        a, b = self.a, self.b
        if self.places == MONEY_PLACES:
            values = [(a + b * t) / _UNIT for t in whole]
        else:
            step = 10 ** (self.places - MONEY_PLACES)
            values = [_half_even(a + b * t, step) / _UNIT for t in whole]
        return np.array(values), span[0], span[1]

    @hot_path
    def bounds(self, least: int, most: int) -> tuple[float, float] | None:
        """The lowest and highest equity for closes from ``least`` to ``most`` ticks (None
        where its numbers would be too long to be exact). The equity moves with the close
        one way (up for a long, down for a short) and correct rounding keeps that order,
        so they are the values at the extreme closes."""
        if self.flat is not None:
            return self.flat, self.flat
        a, b = self.a, self.b
        if abs(a) + abs(b) * max(most, least, -most, -least) >= _EXACT_LIMIT:
            return None
        if b < 0:
            least, most = most, least
        if self.places == MONEY_PLACES:
            return (a + b * least) / _UNIT, (a + b * most) / _UNIT
        step = 10 ** (self.places - MONEY_PLACES)
        return _half_even(a + b * least, step) / _UNIT, _half_even(a + b * most, step) / _UNIT


class EquityBackfill:
    """Passed stretches of an equity curve, kept to be written at the end of a run in a
    few vectorised steps rather than with one Python division per bar.

    A stretch is kept (:meth:`keep`) when its line is whole at the money quantum and its
    numbers fit an int64: ``a = whole * 10**12 + rest`` and ``rest + b * t`` for each of
    its closes ``t``. :meth:`write` then gives each bar the correctly rounded
    ``(a + b * t) / 10**12``, the float :meth:`EquityLine.stretch` gives:

    - with ``divmod(rest + b * t, 10**12) = (q, r)`` the value is ``x = i + r / 10**12``,
      ``i = whole + q``. Where ``2**27 <= i < 2**52`` the float sum
      ``i + fl(r / 10**12)`` is the correctly rounded ``x``. The midpoints between two
      floats of ``x``'s binade are odd multiples of ``2**-26`` or of a larger power of
      two. ``x`` is a multiple of ``10**-12``: either one of them, and then
      ``r / 10**12`` is a float itself, or at least ``2**-26 / 5**12 > 2**-54`` away
      from every one, while ``fl(r / 10**12)`` is within ``2**-54`` of ``r / 10**12``
      (which is below 1): either way the two round alike;
    - else, where ``|a + b * t| < 2**53``, both are exact floats and one float division
      is the correctly rounded quotient;
    - else the stretch is divided in Python integers, as :meth:`EquityLine.stretch` does.
    """

    __slots__ = ("_rests", "_slopes", "_starts", "_stops", "_wholes")

    def __init__(self) -> None:
        # five int64 columns, one row per stretch: 40 bytes a stretch
        self._starts, self._stops = array("q"), array("q")
        self._wholes, self._rests, self._slopes = array("q"), array("q"), array("q")

    def __len__(self) -> int:
        return len(self._starts)

    @hot_path
    def keep(self, start: int, stop: int, line: EquityLine, least: int, most: int) -> bool:
        """Keep bars ``start..stop-1`` of ``line``, whose closes lie from ``least`` to
        ``most`` ticks, for :meth:`write`; False (nothing kept) when its numbers do not
        allow it: then write the stretch now."""
        if line.flat is not None or line.places != MONEY_PLACES or stop <= start:
            return False
        a, b = line.a, line.b
        reach = abs(b) * max(most, least, -most, -least)
        if max(reach, abs(b)) >= _INT64_ROOM or abs(a) + reach >= _EXACT_LIMIT:
            return False
        whole, rest = divmod(a, _UNIT)
        self._starts.append(start)
        self._stops.append(stop)
        self._wholes.append(whole)
        self._rests.append(rest)
        self._slopes.append(b)
        return True

    def write(self, equity: npt.NDArray[np.float64], ticks: npt.NDArray[np.int64]) -> None:
        """Write every kept stretch into ``equity`` (``ticks``: every close in whole
        ticks) and forget them."""
        columns = [
            np.frombuffer(column, dtype=np.int64)
            for column in (self._starts, self._stops, self._wholes, self._rests, self._slopes)
        ]
        for first in range(0, len(self._starts), _CHUNK):
            part = slice(first, first + _CHUNK)
            self._write_part(equity, ticks, *(column[part] for column in columns))
        del columns  # the views hold the arrays' buffers
        self._starts, self._stops = array("q"), array("q")
        self._wholes, self._rests, self._slopes = array("q"), array("q"), array("q")

    @staticmethod
    def _write_part(
        equity: npt.NDArray[np.float64], ticks: npt.NDArray[np.int64], *columns: Ints
    ) -> None:
        starts, stops, wholes, rests, slopes = columns
        lengths = stops - starts
        offsets = np.cumsum(lengths) - lengths
        bars = np.arange(int(lengths.sum())) + np.repeat(starts - offsets, lengths)
        quotient, remainder = np.divmod(
            np.repeat(rests, lengths) + np.repeat(slopes, lengths) * ticks[bars], _UNIT
        )
        whole = np.repeat(wholes, lengths) + quotient
        fits = np.logical_and.reduceat((whole >= _SPLIT_FLOOR) & (whole < _SPLIT_CEILING), offsets)
        chosen = np.repeat(fits, lengths)
        values = whole.astype(np.float64) + remainder / _UNIT
        equity[bars[chosen]] = values[chosen]
        for k in np.flatnonzero(~fits).tolist():
            start, stop = int(starts[k]), int(stops[k])
            a, b = int(wholes[k]) * _UNIT + int(rests[k]), int(slopes[k])
            closes = ticks[start:stop]
            if abs(a) + abs(b) * int(np.abs(closes).max()) < _FLOAT_EXACT:
                equity[start:stop] = (a + b * closes).astype(np.float64) / _UNIT
            else:
                equity[start:stop] = [(a + b * t) / _UNIT for t in closes.tolist()]


def whole_ticks(close: npt.NDArray[np.float64], tick: float) -> Ints:
    """Each close in whole ticks, rounded half to even as ``Candles.bar`` rounds it."""
    ticks = np.rint(close / tick)
    if len(ticks) and not np.abs(ticks).max() < _MOST_TICKS:
        raise InvalidValue("close", float(np.abs(close).max()), f"below {_MOST_TICKS} ticks")
    return ticks.astype(np.int64)


@hot_path
def _half_even(value: int, step: int) -> int:
    """``value / step`` rounded half to even."""
    quotient, rest = divmod(value, step)
    twice = 2 * rest
    if twice > step or (twice == step and quotient % 2):
        quotient += 1
    return quotient
