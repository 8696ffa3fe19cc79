"""Conditions over whole columns: the vectorised twin of :mod:`.conditions`.

A condition evaluated here gives, for every bar at once, exactly what the compiled
closure gives on that bar: the same comparisons on the same float64 values (NaN
compares false), ``previous`` being the column shifted by one bar with NaN before the
first. Used by :mod:`bot.strategy.rules.plan` to find the bars where a rule can fire.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from bot.strategy.indicators._series import FloatArray
from bot.strategy.rules.layout import Layout
from bot.strategy.rules.spec import AllOf, Between, Compare, Condition, Cross, Not, Operand

Mask = npt.NDArray[np.bool_]
Values = FloatArray | float

_OPERATORS: dict[str, Callable[[Values, Values], Mask | bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


class Columns:
    """Every value of every bar, by layout position: ``now[k]`` is column ``k``."""

    __slots__ = ("length", "now")

    def __init__(self, now: Sequence[FloatArray]) -> None:
        self.now = tuple(now)
        self.length = len(self.now[0]) if self.now else 0

    def before(self, position: int) -> FloatArray:
        """Column ``position`` one bar late: the previous bar's value, NaN on the first."""
        column = self.now[position]
        out = np.empty_like(column)
        if len(column):
            out[0] = np.nan
            out[1:] = column[:-1]
        return out


def evaluate(condition: Condition, layout: Layout, columns: Columns) -> Mask:
    """Where ``condition`` holds, bar by bar."""
    if isinstance(condition, Compare):
        compare = _OPERATORS[condition.op]
        return _compare(compare, condition.left, condition.right, layout, columns)
    if isinstance(condition, Cross):
        return _cross(condition, layout, columns)
    if isinstance(condition, Between):
        low = _compare(operator.le, condition.low, condition.value, layout, columns)
        high = _compare(operator.le, condition.value, condition.high, layout, columns)
        return low & high
    if isinstance(condition, Not):
        return ~evaluate(condition.item, layout, columns)
    masks = [evaluate(item, layout, columns) for item in condition.items]
    combined = masks[0].copy()
    for mask in masks[1:]:
        if isinstance(condition, AllOf):
            combined &= mask
        else:
            combined |= mask
    return combined


def _value(operand: Operand, layout: Layout, columns: Columns, *, before: bool) -> Values:
    if isinstance(operand, str):
        position = layout.index[operand]
        return columns.before(position) if before else columns.now[position]
    return float(operand)


def _mask(result: Mask | bool, length: int) -> Mask:
    if isinstance(result, np.ndarray):
        return result
    return np.full(length, bool(result))


def _compare(
    compare: Callable[[Values, Values], Mask | bool],
    left: Operand,
    right: Operand,
    layout: Layout,
    columns: Columns,
) -> Mask:
    a = _value(left, layout, columns, before=False)
    b = _value(right, layout, columns, before=False)
    return _mask(compare(a, b), columns.length)


def _cross(condition: Cross, layout: Layout, columns: Columns) -> Mask:
    """Above: was ``left <= right``, now ``left > right``. Below: was ``>``, now ``<=``."""
    left, right = condition.left, condition.right
    if isinstance(left, float) and isinstance(right, float):
        return np.zeros(columns.length, dtype=np.bool_)
    was_l = _value(left, layout, columns, before=True)
    was_r = _value(right, layout, columns, before=True)
    now_l = _value(left, layout, columns, before=False)
    now_r = _value(right, layout, columns, before=False)
    if condition.above:
        hit = operator.le(was_l, was_r) & operator.gt(now_l, now_r)
    else:
        hit = operator.gt(was_l, was_r) & operator.le(now_l, now_r)
    return _mask(hit, columns.length)
