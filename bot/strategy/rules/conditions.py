"""Compile a condition tree, once, into plain closures over two lists of floats.

``values`` holds this bar's values and ``previous`` the last bar's, at the positions a
:class:`~bot.strategy.rules.layout.Layout` gives; the running strategy overwrites them
in place every bar. A compiled condition is a zero-argument callable returning a bool:
no name lookups, no tree walking per bar. Comparisons with NaN (warm-up) are false.
The closures are lambdas on purpose: they carry no annotations, so the package's
run-time type checks add nothing to the per-bar cost.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from bot.strategy.rules.layout import Layout
from bot.strategy.rules.spec import (
    AllOf,
    Between,
    Compare,
    Condition,
    Cross,
    Not,
    Operand,
)

Check = Callable[[], bool]

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def compile_condition(
    condition: Condition, layout: Layout, values: list[float], previous: list[float]
) -> Check:
    """``condition`` as a closure reading ``values`` (and ``previous`` for crosses)."""
    if isinstance(condition, Compare):
        return _compare(_OPERATORS[condition.op], condition.left, condition.right, layout, values)
    if isinstance(condition, Cross):
        return _cross(condition, layout, values, previous)
    if isinstance(condition, Between):
        low = _compare(operator.le, condition.low, condition.value, layout, values)
        high = _compare(operator.le, condition.value, condition.high, layout, values)
        return lambda: low() and high()
    if isinstance(condition, Not):
        inner = compile_condition(condition.item, layout, values, previous)
        return lambda: not inner()
    checks = [compile_condition(item, layout, values, previous) for item in condition.items]
    join = _both if isinstance(condition, AllOf) else _either
    combined = checks[-1]
    for check in reversed(checks[:-1]):
        combined = join(check, combined)
    return combined


def _both(first: Check, second: Check) -> Check:
    return lambda: first() and second()


def _either(first: Check, second: Check) -> Check:
    return lambda: first() or second()


def _compare(
    compare: Callable[[float, float], bool],
    left: Operand,
    right: Operand,
    layout: Layout,
    values: list[float],
) -> Check:
    if isinstance(left, str) and isinstance(right, str):
        i, j = layout.index[left], layout.index[right]
        return lambda: compare(values[i], values[j])
    if isinstance(left, str) and isinstance(right, float):
        i, constant = layout.index[left], right
        return lambda: compare(values[i], constant)
    if isinstance(left, float) and isinstance(right, str):
        constant, j = left, layout.index[right]
        return lambda: compare(constant, values[j])
    fixed = bool(compare(float(left), float(right)))
    return lambda: fixed


def _cross(condition: Cross, layout: Layout, values: list[float], previous: list[float]) -> Check:
    """Above: was ``left <= right``, now ``left > right``. Below: was ``>``, now ``<=``."""
    left, right = condition.left, condition.right
    if isinstance(left, float) and isinstance(right, float):
        return lambda: False
    if isinstance(left, str) and isinstance(right, str):
        i, j = layout.index[left], layout.index[right]
        if condition.above:
            return lambda: previous[i] <= previous[j] and values[i] > values[j]
        return lambda: previous[i] > previous[j] and values[i] <= values[j]
    if isinstance(left, str) and isinstance(right, float):
        i, level = layout.index[left], right
        if condition.above:
            return lambda: previous[i] <= level and values[i] > level
        return lambda: previous[i] > level and values[i] <= level
    level, j = float(left), layout.index[str(right)]
    if condition.above:
        return lambda: level <= previous[j] and level > values[j]
    return lambda: level > previous[j] and level <= values[j]
