"""Where each value of a bar lives: bar fields first, then every indicator output.

The running strategy keeps this bar's values (and the previous bar's) in two flat
lists; a compiled condition reads them by position, never by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.strategy.indicators import BAR_FIELDS, indicator_spec
from bot.strategy.rules.spec import IndicatorUse


class Layout:
    """Positions of the bar fields and indicator outputs in the value lists.

    A one-output indicator is named by itself (``fast``, also ``fast.value``); an
    output of a several-output indicator by ``name.output`` (``macd.hist``).
    """

    __slots__ = ("index", "kinds", "size", "spans")

    def __init__(self, indicators: tuple[IndicatorUse, ...]) -> None:
        index: dict[str, int] = {field: position for position, field in enumerate(BAR_FIELDS)}
        spans: list[tuple[int, int]] = []
        start = len(BAR_FIELDS)
        for use in indicators:
            outputs = indicator_spec(use.kind).outputs
            for offset, output in enumerate(outputs):
                index[f"{use.name}.{output}"] = start + offset
            if len(outputs) == 1:
                index[use.name] = start
            spans.append((start, start + len(outputs)))
            start += len(outputs)
        #: name -> position in the value lists
        self.index: Mapping[str, int] = MappingProxyType(index)
        #: indicator name -> its kind (``ema``, ``atr``, ...)
        self.kinds: Mapping[str, str] = MappingProxyType({u.name: u.kind for u in indicators})
        #: (start, stop) of each indicator's outputs, in declaration order
        self.spans: tuple[tuple[int, int], ...] = tuple(spans)
        #: length of the value lists
        self.size = start

    def choices(self) -> str:
        """Every name an operand may use, for error messages."""
        return ", ".join(name for name in self.index if not name.endswith(".value"))
