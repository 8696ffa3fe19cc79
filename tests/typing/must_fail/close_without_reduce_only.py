"""A close that is not reduce-only cannot be built: mypy must refuse every marked line."""

from bot.domain import CloseIntent, Symbol


def close_that_could_open(symbol: Symbol) -> CloseIntent:
    return CloseIntent(symbol, reduce_only=False)  # expect: arg-type Literal[True]


def close_with_a_runtime_flag(symbol: Symbol, reduce_only: bool) -> CloseIntent:
    return CloseIntent(symbol, reduce_only=reduce_only)  # expect: arg-type Literal[True]
