"""The whole road on the simulated venue, for tests: venue, state, guards, risk, executor.

::

    road = build_road()                        # BTCUSDT and ETHUSDT priced, every check on
    result = road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(1_000)))
    road.venue.accepted_log                    # every request the venue accepted
    road.gateway.sent                          # every request the executor handed over

Public surface (keep it small: other suites import it):

- :data:`BTC`, :data:`ETH`, :data:`START_MS`, :data:`BTC_RULES`, :data:`ETH_RULES`.
- :func:`guard_settings` and :func:`risk_settings`: readable defaults, with overrides.
- :class:`VenueProxy`: wraps the venue the executor talks to, counts every call, keeps
  every request handed to ``submit``/``submit_batch``; subclass it to script failures.
- :class:`Road`: the assembled parts plus :meth:`Road.move` (a price update),
  :meth:`Road.open_position` (a position placed straight on the venue, link id
  ``seed-<n>``) and :meth:`Road.position`.
- :func:`build_road`: assembles a :class:`Road`; every part can be replaced.

Defaults: BTCUSDT at 60,000 (tick 0.1, step 0.001, min qty 0.001, min notional 5) and
ETHUSDT at 3,000 (tick 0.01, step 0.01), last = mark, at :data:`START_MS`; wallet
100,000 USDT at leverage 10; guards with a 200 bps band; risk limits well above the
defaults' order sizes, with ``allow_shrink`` off.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.domain import (
    Fill,
    Instrument,
    Money,
    Order,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
)
from bot.exchange.protocol import Balance, Exchange, OrderRequest, SubmitResult
from bot.exchange.sim import SimExchange, SimSettings
from bot.exchange.sim.health import SimClockSkew, SimStreamHealth
from bot.execution import Executor, RemainderPolicy
from bot.guards import (
    Clock,
    ClockSkew,
    Guard,
    GuardChain,
    GuardSettings,
    PinnedPrices,
    PriceSource,
    StreamHealth,
    build_guard_chain,
)
from bot.risk import LossAction, RiskEngine, RiskSettings, TradingStateHolder

BTC: Final = Symbol("BTCUSDT")
ETH: Final = Symbol("ETHUSDT")
#: The venue clock at the first price update (2023-11-14 22:13:20 UTC).
START_MS: Final = 1_700_000_000_000

BTC_RULES: Final = Instrument(
    BTC, Price("0.1"), Qty("0.001"), Qty("0.001"), Qty("1190"), Qty("500"), Money(5)
)
ETH_RULES: Final = Instrument(
    ETH, Price("0.01"), Qty("0.01"), Qty("0.01"), Qty("7240"), Qty("1000"), Money(5)
)
_PRICES: Final = {BTC: "60000", ETH: "3000"}


def guard_settings(**overrides: object) -> GuardSettings:
    """200 bps band, 5 s feed age, 10 s stream silence, 1 s skew, stop side and mark on."""
    values: dict[str, object] = {
        "price_band_bps": 200,
        "max_feed_age_ms": 5_000,
        "max_stream_silence_ms": 10_000,
        "max_clock_skew_ms": 1_000,
        "check_stop_side": True,
        "use_mark_price": True,
    }
    values.update(overrides)
    return GuardSettings(**values)  # type: ignore[arg-type]


def risk_settings(**overrides: object) -> RiskSettings:
    """10x, order 10,000, position 25,000, total 50,000, 5 symbols, 1,000 orders/min,
    no cooldown, no shrinking."""
    values: dict[str, object] = {
        "max_leverage": 10,
        "max_order_notional": Money(10_000),
        "max_position_notional": Money(25_000),
        "max_total_exposure": Money(50_000),
        "max_open_positions": 5,
        "daily_loss_limit": Money(1_000),
        "max_drawdown_pct": Decimal(20),
        "on_loss_limit": LossAction.REDUCING,
        "cooldown_after_losses": 0,
        "cooldown_minutes": 0,
        "max_orders_per_minute": 1_000,
        "allow_shrink": False,
    }
    values.update(overrides)
    return RiskSettings(**values)  # type: ignore[arg-type]


class VenueProxy:
    """An ``Exchange`` that forwards to ``inner``, counting calls and keeping requests.

    ``calls[name]`` counts every call of each method; ``sent`` holds every request
    handed to ``submit`` or ``submit_batch``, in order, before it is forwarded.
    Override a method in a subclass to make it raise, lie or act before forwarding.
    """

    def __init__(self, inner: Exchange) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.sent: list[OrderRequest] = []

    def instrument(self, symbol: Symbol) -> Instrument:
        """Forwarded."""
        self.calls["instrument"] += 1
        return self.inner.instrument(symbol)

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Forwarded."""
        self.calls["ticker"] += 1
        return self.inner.ticker(symbol)

    def server_time_ms(self) -> int:
        """Forwarded."""
        self.calls["server_time_ms"] += 1
        return self.inner.server_time_ms()

    def positions(self) -> dict[Symbol, Position]:
        """Forwarded."""
        self.calls["positions"] += 1
        return self.inner.positions()

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Forwarded."""
        self.calls["open_orders"] += 1
        return self.inner.open_orders(symbol)

    def lookup(self, order_link_id: str) -> Order | None:
        """Forwarded."""
        self.calls["lookup"] += 1
        return self.inner.lookup(order_link_id)

    def balance(self) -> Balance:
        """Forwarded."""
        self.calls["balance"] += 1
        return self.inner.balance()

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Forwarded."""
        self.calls["fills_since"] += 1
        return self.inner.fills_since(cursor)

    def submit(self, request: OrderRequest) -> SubmitResult:
        """Kept in ``sent``, then forwarded."""
        self.calls["submit"] += 1
        self.sent.append(request)
        return self.inner.submit(request)

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        """Kept in ``sent``, then forwarded."""
        self.calls["submit_batch"] += 1
        self.sent.extend(requests)
        return self.inner.submit_batch(requests)

    def cancel(self, symbol: Symbol, order_link_id: str) -> SubmitResult:
        """Forwarded."""
        self.calls["cancel"] += 1
        return self.inner.cancel(symbol, order_link_id)

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Forwarded."""
        self.calls["cancel_all"] += 1
        return self.inner.cancel_all(symbol)

    def set_leverage(self, symbol: Symbol, leverage: int) -> None:
        """Forwarded."""
        self.calls["set_leverage"] += 1
        self.inner.set_leverage(symbol, leverage)


@dataclass
class Road:
    """The assembled road. ``gateway`` is what the executor talks to (wraps ``venue``)."""

    venue: SimExchange
    gateway: VenueProxy
    state: TradingStateHolder
    guards: GuardChain
    risk: RiskEngine
    executor: Executor
    _seeds: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def move(self, symbol: Symbol, last: str, mark: str | None = None, *, dt_ms: int = 1) -> None:
        """A price update ``dt_ms`` after the venue's clock; mark defaults to last."""
        mark_price = Price(mark if mark is not None else last)
        now = self.venue.server_time_ms() + dt_ms
        self.venue.update_market(symbol, Price(last), mark_price, ts_ms=now)

    def open_position(self, symbol: Symbol, side: Side, qty: str) -> Position:
        """Trade ``qty`` at market straight on the venue (not through the executor).

        Raises AssertionError if the venue refuses; returns the resulting position.
        """
        request = OrderRequest(
            f"seed-{next(self._seeds)}", symbol, side, Qty(qty), OrderType.MARKET, False
        )
        answer = self.venue.submit(request)
        if not answer.accepted:
            raise AssertionError(f"the venue refused the seed order: {answer}")
        position = self.position(symbol)
        if position is None:
            raise AssertionError(f"no position in {symbol} after the seed order")
        return position

    def position(self, symbol: Symbol) -> Position | None:
        """The venue's position in ``symbol``, None when flat."""
        return self.venue.positions().get(symbol)

    def executor_requests(self) -> list[OrderRequest]:
        """Requests the venue accepted from the executor (seed orders left out)."""
        return [
            record.request
            for record in self.venue.accepted_log
            if not record.request.order_link_id.startswith("seed-")
        ]


def build_road(
    *,
    instruments: Sequence[Instrument] = (BTC_RULES, ETH_RULES),
    prices: Mapping[Symbol, str] | None = None,
    guard: GuardSettings | None = None,
    risk: RiskSettings | None = None,
    sim: SimSettings | None = None,
    price_source: PriceSource | None = None,
    stream: StreamHealth | None = None,
    skew: ClockSkew | None = None,
    gateway: Callable[[SimExchange], VenueProxy] = VenueProxy,
    risk_class: Callable[[RiskSettings, TradingStateHolder, Clock], RiskEngine] = RiskEngine,
    chain_class: Callable[[Sequence[Guard]], GuardChain] = GuardChain,
    run_id: str = "test",
    remainder: RemainderPolicy = RemainderPolicy.CLOSE_ALL,
    lookup_attempts: int = 3,
) -> Road:
    """Assemble the road on a fresh :class:`SimExchange`.

    - ``prices``: first last (= mark) price per symbol at :data:`START_MS`; defaults to
      60,000 for BTCUSDT and 3,000 for ETHUSDT (symbols not listed are left unpriced).
    - ``guard`` / ``risk`` / ``sim``: settings (see :func:`guard_settings`,
      :func:`risk_settings`; sim: 100,000 USDT at leverage 10).
    - ``price_source`` / ``stream`` / ``skew``: replace what the guards read (default:
      the venue, :class:`SimStreamHealth`, :class:`SimClockSkew`); the executor sizes
      entries from ``price_source`` too, through the one :class:`PinnedPrices` the
      guards read, as a live run does from its ticker book.
    - ``gateway``: builds the :class:`VenueProxy` the executor talks to from the venue.
    - ``risk_class`` / ``chain_class``: build the risk engine and the guard chain (pass a
      subclass to make them raise).
    - ``run_id``, ``remainder``, ``lookup_attempts``: the executor's own knobs.
    """
    venue = SimExchange(
        list(instruments), sim or SimSettings(initial_balance=Money(100_000), leverage=10)
    )
    listed = {instrument.symbol for instrument in instruments}
    for symbol, price in (prices if prices is not None else _PRICES).items():
        if symbol in listed:
            venue.update_market(symbol, Price(price), Price(price), ts_ms=START_MS)
    state = TradingStateHolder()
    # as the live road: the guards and the executor share one pinned view of the source
    pinned = PinnedPrices(price_source) if price_source is not None else None
    standard = build_guard_chain(
        guard or guard_settings(),
        state=state,
        prices=pinned if pinned is not None else venue,
        stream=stream if stream is not None else SimStreamHealth(venue),
        skew=skew if skew is not None else SimClockSkew(),
        clock=venue.clock,
    )
    chain = chain_class(standard.guards)
    engine = risk_class(risk or risk_settings(), state, venue.clock)
    proxy = gateway(venue)
    executor = Executor(
        proxy,
        chain,
        engine,
        state,
        run_id=run_id,
        remainder=remainder,
        lookup_attempts=lookup_attempts,
        prices=pinned,
    )
    return Road(venue, proxy, state, chain, engine, executor)
