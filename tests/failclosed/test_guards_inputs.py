"""Every guard blocks when its input is missing, unparseable or raising, or it breaks.

Each ``test_fail_open_variant_is_caught_<guard>`` runs the same fail-closed assertion
against a deliberately fail-open mutant of the guard and shows that it fails there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from bot.domain import Intent, Symbol, TriggerDirection
from bot.guards import (
    ClockSkewGuard,
    FailClosedGuard,
    FeedFreshness,
    PriceBand,
    PriceSource,
    StopTriggerSide,
    StreamHealthGuard,
    TradingStateGuard,
)
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.guards.doubles import (
    NOW,
    FakeClock,
    FakeSkew,
    FakeStream,
    RaisingStateHolder,
    RaisingTickers,
    Tickers,
    WireTickers,
    limit_buy,
    market_buy,
    settings,
    stop_buy,
    ticker,
)
from tests.unit.guards.mutants import assert_blocks, missing_input_passes, swallows_errors

pytestmark = pytest.mark.failclosed


@dataclass
class WrongShape:
    """A price source answering something that is not a Ticker."""

    def ticker(self, symbol: Symbol) -> object:
        return {"symbol": symbol, "lastPrice": "57600"}


class RaisingClock:
    """A clock that cannot tell the time."""

    def now_ms(self) -> int:
        raise OSError("clock_gettime failed")


# Each ticker failure: (price source, words the block reason must contain).
TICKER_FAILURES = [
    pytest.param(Tickers(), "no ticker for BTCUSDT", id="ticker_missing"),
    pytest.param(WireTickers({"markPrice": "57600"}), "KeyError", id="lastPrice_missing"),
    pytest.param(WireTickers({"lastPrice": ""}), "empty string", id="lastPrice_empty"),
    pytest.param(WireTickers({"lastPrice": "0"}), "greater than 0", id="lastPrice_zero"),
    pytest.param(WireTickers({"lastPrice": "NaN"}), "finite", id="lastPrice_NaN"),
    pytest.param(WireTickers({"lastPrice": "abc"}), "not a number", id="lastPrice_abc"),
    pytest.param(RaisingTickers(OSError("feed socket reset")), "OSError", id="source_OSError"),
    pytest.param(RaisingTickers(RuntimeError("cache broken")), "RuntimeError", id="source_Runtime"),
    pytest.param(WrongShape(), "no usable ticker", id="not_a_ticker"),
]
MISSING_TICKER = [p for p in TICKER_FAILURES if p.id == "ticker_missing"]
TickerGuardBuilder = Callable[[type[FailClosedGuard], PriceSource], FailClosedGuard]


def _probe_ticker(guard: FailClosedGuard, intent: Intent) -> object:
    return guard._prices.ticker(intent.symbol)  # type: ignore[attr-defined]


def _band(cls: type[FailClosedGuard], prices: PriceSource) -> FailClosedGuard:
    return cls(settings(), prices)  # type: ignore[call-arg]


def _fresh(cls: type[FailClosedGuard], prices: PriceSource) -> FailClosedGuard:
    return cls(settings(), prices, FakeClock())  # type: ignore[call-arg]


TICKER_GUARDS: dict[str, tuple[type[FailClosedGuard], TickerGuardBuilder, Intent]] = {
    "price_band": (PriceBand, _band, limit_buy("57600")),
    "feed_freshness": (FeedFreshness, _fresh, market_buy()),
    "stop_trigger_side": (StopTriggerSide, _band, stop_buy("58000", TriggerDirection.RISE)),
}


def _mutants_for(name: str) -> Sequence[object]:
    cls = TICKER_GUARDS[name][0]
    swallow = [
        pytest.param(swallows_errors(cls), p.values[0], p.values[1], id=f"swallows_errors-{p.id}")
        for p in TICKER_FAILURES
    ]
    none_passes = [
        pytest.param(
            missing_input_passes(cls, _probe_ticker),
            p.values[0],
            p.values[1],
            id=f"missing_input_passes-{p.id}",
        )
        for p in MISSING_TICKER
    ]
    return swallow + none_passes


@pytest.mark.parametrize("name", list(TICKER_GUARDS))
@pytest.mark.parametrize(("prices", "words"), TICKER_FAILURES)
def test_ticker_guard_blocks_on_bad_ticker(name: str, prices: PriceSource, words: str) -> None:
    cls, build, intent = TICKER_GUARDS[name]
    block = assert_blocks(build(cls, prices), intent, words)
    assert block.numbers["error"]


def test_price_band_blocks_without_mark_price_when_it_must_use_it() -> None:
    assert_blocks(PriceBand(settings(), ticker(mark=None)), market_buy(), "no mark price")


def test_price_band_blocks_when_it_breaks_itself() -> None:
    guard = PriceBand(settings(), ticker())
    guard._band = None  # type: ignore[assignment]  # an internal bug: compare with None
    assert_blocks(guard, limit_buy("57600"), "could not check: TypeError")


def test_stale_price_blocks() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW - 5_001), FakeClock())
    assert_blocks(guard, market_buy(), "5,001 ms old")


def test_ticker_from_the_future_blocks() -> None:
    guard = FeedFreshness(settings(), ticker(ts_ms=NOW + 1_001), FakeClock())
    assert_blocks(guard, market_buy(), "1,001 ms in the future")


def test_feed_freshness_blocks_when_the_clock_raises() -> None:
    guard = FeedFreshness(settings(), ticker(), RaisingClock())
    assert_blocks(guard, market_buy(), "OSError: clock_gettime failed")


def test_stop_on_the_wrong_side_blocks() -> None:
    guard = StopTriggerSide(settings(), ticker("57600"))
    assert_blocks(guard, stop_buy("57000", TriggerDirection.RISE), "must be above last 57,600")


def test_stop_without_a_price_blocks() -> None:
    guard = StopTriggerSide(settings(), Tickers())
    assert_blocks(guard, stop_buy("58000", TriggerDirection.RISE), "no ticker for BTCUSDT")


# Stream health: (stream, clock, words); the ones a fail-open mutant lets through.
STREAM_FAILURES = [
    pytest.param(FakeStream(last_ms=None), FakeClock(), "never delivered", id="never_heard"),
    pytest.param(FakeStream(error=OSError("probe down")), FakeClock(), "OSError", id="raise"),
    pytest.param(FakeStream(last_ms="123"), FakeClock(), "is unknown", id="not_a_time"),  # type: ignore[arg-type]
    pytest.param(FakeStream(), RaisingClock(), "OSError", id="clock_raises"),
]


@pytest.mark.parametrize(("stream", "clock", "words"), STREAM_FAILURES)
def test_stream_health_blocks_on_bad_input(stream: FakeStream, clock: object, words: str) -> None:
    assert_blocks(StreamHealthGuard(settings(), stream, clock), market_buy(), words)  # type: ignore[arg-type]


def test_stream_disconnected_blocks() -> None:
    guard = StreamHealthGuard(settings(), FakeStream(connected=False), FakeClock())
    assert_blocks(guard, market_buy(), "not connected")


def test_stream_silent_blocks() -> None:
    guard = StreamHealthGuard(settings(), FakeStream(last_ms=NOW - 10_001), FakeClock())
    assert_blocks(guard, market_buy(), "silent for 10,001 ms")


SKEW_FAILURES = [
    pytest.param(FakeSkew(None), "never been measured", id="never_measured"),
    pytest.param(FakeSkew(error=RuntimeError("ntp query failed")), "RuntimeError", id="raise"),
    pytest.param(FakeSkew(1.5), "is unknown", id="not_an_int"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("skew", "words"), SKEW_FAILURES)
def test_clock_skew_blocks_on_bad_input(skew: FakeSkew, words: str) -> None:
    assert_blocks(ClockSkewGuard(settings(), skew), market_buy(), words)


def test_clock_skew_too_big_blocks() -> None:
    assert_blocks(ClockSkewGuard(settings(), FakeSkew(1_001)), market_buy(), "1,001 ms off")


class GarbageStateHolder(TradingStateHolder):
    """A holder whose state is not a TradingState."""

    @property
    def state(self) -> TradingState:
        return "ACTIVE"  # type: ignore[return-value]


STATE_FAILURES = [
    pytest.param(RaisingStateHolder(), "RuntimeError: state store unreadable", id="raise"),
    pytest.param(GarbageStateHolder(), "trading state is unknown", id="not_a_state"),
]


@pytest.mark.parametrize(("holder", "words"), STATE_FAILURES)
def test_trading_state_blocks_when_unreadable(holder: TradingStateHolder, words: str) -> None:
    assert_blocks(TradingStateGuard(holder), market_buy(), words)


# ---- fail-open demonstration: the same assertion fails against each mutant ----------


@pytest.mark.parametrize(("mutant", "prices", "words"), _mutants_for("price_band"))
def test_fail_open_variant_is_caught_price_band(
    mutant: type[FailClosedGuard], prices: PriceSource, words: str
) -> None:
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(_band(mutant, prices), limit_buy("57600"), words)


@pytest.mark.parametrize(("mutant", "prices", "words"), _mutants_for("feed_freshness"))
def test_fail_open_variant_is_caught_feed_freshness(
    mutant: type[FailClosedGuard], prices: PriceSource, words: str
) -> None:
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(_fresh(mutant, prices), market_buy(), words)


@pytest.mark.parametrize(("mutant", "prices", "words"), _mutants_for("stop_trigger_side"))
def test_fail_open_variant_is_caught_stop_trigger_side(
    mutant: type[FailClosedGuard], prices: PriceSource, words: str
) -> None:
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(_band(mutant, prices), stop_buy("58000", TriggerDirection.RISE), words)


def _probe_stream(guard: FailClosedGuard, intent: Intent) -> object:
    return guard._stream.last_message_ms()  # type: ignore[attr-defined]


def _probe_skew(guard: FailClosedGuard, intent: Intent) -> object:
    return guard._skew.skew_ms()  # type: ignore[attr-defined]


STREAM_MUTANTS = [
    pytest.param(swallows_errors(StreamHealthGuard), *p.values, id=f"swallows_errors-{p.id}")
    for p in STREAM_FAILURES
] + [
    pytest.param(
        missing_input_passes(StreamHealthGuard, _probe_stream),
        *STREAM_FAILURES[0].values,
        id="missing_input_passes-never_heard",
    )
]


@pytest.mark.parametrize(("mutant", "stream", "clock", "words"), STREAM_MUTANTS)
def test_fail_open_variant_is_caught_stream_health(
    mutant: type[FailClosedGuard], stream: FakeStream, clock: object, words: str
) -> None:
    guard = mutant(settings(), stream, clock)  # type: ignore[call-arg]
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(guard, market_buy(), words)


SKEW_MUTANTS = [
    pytest.param(swallows_errors(ClockSkewGuard), *p.values, id=f"swallows_errors-{p.id}")
    for p in SKEW_FAILURES
] + [
    pytest.param(
        missing_input_passes(ClockSkewGuard, _probe_skew),
        *SKEW_FAILURES[0].values,
        id="missing_input_passes-never_measured",
    )
]


@pytest.mark.parametrize(("mutant", "skew", "words"), SKEW_MUTANTS)
def test_fail_open_variant_is_caught_clock_skew(
    mutant: type[FailClosedGuard], skew: FakeSkew, words: str
) -> None:
    guard = mutant(settings(), skew)  # type: ignore[call-arg]
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(guard, market_buy(), words)


@pytest.mark.parametrize(("holder", "words"), STATE_FAILURES)
def test_fail_open_variant_is_caught_trading_state(holder: TradingStateHolder, words: str) -> None:
    guard = swallows_errors(TradingStateGuard)(holder)
    with pytest.raises(AssertionError, match="let the entry through"):
        assert_blocks(guard, market_buy(), words)


def test_mutants_are_realistic_they_still_block_ordinary_cases() -> None:
    """The mutants are bugs, not strawmen: good input passes, an ordinary breach blocks."""
    band = _band(swallows_errors(PriceBand), ticker())
    assert band.check(limit_buy("57600")) is None
    assert_blocks(band, limit_buy("61200"), "625 bps")
    fresh = _fresh(missing_input_passes(FeedFreshness, _probe_ticker), ticker(ts_ms=NOW - 9_000))
    assert_blocks(fresh, market_buy(), "9,000 ms old")
    skew = missing_input_passes(ClockSkewGuard, _probe_skew)(settings(), FakeSkew(5_000))
    assert_blocks(skew, market_buy(), "5,000 ms off")
    state = swallows_errors(TradingStateGuard)(TradingStateHolder(TradingState.HALTED))
    assert_blocks(state, market_buy(), "HALTED")
