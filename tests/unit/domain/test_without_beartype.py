"""Under ``python -O`` beartype is off; the constructors still refuse bad values.

The bot refuses to start under ``-O``, so this is defence in depth: the invariants live
in the constructors, not only in the type hints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_SCRIPT = """
from dataclasses import replace
from decimal import Decimal

from bot.domain import (
    Bar, BatchIntent, CloseIntent, Money, Position, Price, Qty, Side, Symbol, Ticker,
    qty_for_notional,
)
from bot.errors import InvalidValue
from tests.unit.domain.samples import BTC, TS, btc_instrument

assert not __debug__, "run me with python -O"
cases = {
    "price-float": lambda: Price(1.5),
    "qty-none": lambda: Qty(None),
    "money-bytes": lambda: Money(b"1"),
    "symbol-none": lambda: Symbol(None),
    "close-not-reduce-only": lambda: CloseIntent(BTC, reduce_only=False),
    "close-fraction-2": lambda: CloseIntent(BTC, fraction=Decimal(2)),
    "sizing-plain-price": lambda: qty_for_notional(Money(1), Decimal(1), btc_instrument()),
    "sizing-plain-notional": lambda: qty_for_notional(Decimal(1), Price(1), btc_instrument()),
    "ticker-plain-last": lambda: Ticker(BTC, Decimal(1), None, TS),
    "ticker-plain-mark": lambda: Ticker(BTC, Price(1), Decimal(1), TS),
    "bar-plain-open": lambda: Bar(TS, Decimal(1), Price(1), Price(1), Price(1), Decimal(1)),
    "position-plain-size": lambda: Position(BTC, Side.BUY, Decimal(1), Price(1)),
    "position-plain-entry": lambda: Position(BTC, Side.BUY, Qty(1), Decimal(1)),
    "instrument-plain-tick": lambda: replace(btc_instrument(), tick_size=Decimal("0.1")),
    "batch-text-item": lambda: BatchIntent((CloseIntent(BTC), "close")),
}
for name, build in cases.items():
    try:
        build()
    except InvalidValue:
        print(name, "refused")
    else:
        print(name, "ACCEPTED")
"""


def test_constructors_refuse_bad_values_with_beartype_off() -> None:
    result = subprocess.run(
        [sys.executable, "-O", "-c", _SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 15, result.stdout
    assert all(line.endswith(" refused") for line in lines), result.stdout
