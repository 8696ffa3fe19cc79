"""What the risk engine remembers between bars, so a restart does not forget it.

The losing streak and its cooldown, the UTC day with its realised result and starting
equity, the equity peak the drawdown is measured from, and the last equity (the next
day starts from it). The live run writes it to the journal whenever it changes and
gives it back to a new engine on restart: stopping and starting the bot never loosens
a cooldown, the day's loss or the drawdown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class RiskMemory:
    """The risk engine's state between calls (see the module docstring)."""

    losing_streak: int
    cooldown_until_ms: int | None
    day: int | None
    day_realised: Decimal
    day_start_equity: Decimal | None
    peak_equity: Decimal | None
    last_equity: Decimal | None = None

    def __post_init__(self) -> None:
        if isinstance(self.losing_streak, bool) or self.losing_streak < 0:
            raise InvalidValue("risk.losing_streak", self.losing_streak, "a count >= 0")
        for name in ("cooldown_until_ms", "day"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                raise InvalidValue(f"risk.{name}", value, "None or an integer >= 0")
        for name in ("day_realised", "day_start_equity", "peak_equity", "last_equity"):
            value = getattr(self, name)
            if value is not None and not value.is_finite():
                raise InvalidValue(f"risk.{name}", value, "a finite number")

    def to_json(self) -> str:
        """The memory as one JSON object (numbers as exact decimal strings)."""
        return json.dumps(
            {
                "losing_streak": self.losing_streak,
                "cooldown_until_ms": self.cooldown_until_ms,
                "day": self.day,
                "day_realised": str(self.day_realised),
                "day_start_equity": _text(self.day_start_equity),
                "peak_equity": _text(self.peak_equity),
                "last_equity": _text(self.last_equity),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> RiskMemory:
        """The memory written by :meth:`to_json`; InvalidValue on anything else."""
        try:
            raw = json.loads(text)
            return cls(
                _int(raw["losing_streak"]),
                _optional_int(raw["cooldown_until_ms"]),
                _optional_int(raw["day"]),
                _decimal(raw["day_realised"]),
                _optional_decimal(raw["day_start_equity"]),
                _optional_decimal(raw["peak_equity"]),
                _optional_decimal(raw["last_equity"]),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise InvalidValue("risk memory", text, f"the JSON RiskMemory writes ({exc})") from exc


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not an integer")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _decimal(value: object) -> Decimal:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a decimal string")
    return Decimal(value)


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else _decimal(value)
