"""The risk engine fails closed: anything it cannot compute is a block, not an approval."""

from __future__ import annotations

import pytest

from bot.domain import Amount, Money, Price, Symbol
from bot.risk import PortfolioSnapshot, RiskDecision, RiskEngine
from bot.risk.state import TradingStateHolder
from tests.unit.risk.doubles import BTC, FakeClock, buy, engine, long, risk_settings, snapshot

pytestmark = pytest.mark.failclosed


class ExplodingPrices(dict[Symbol, Price]):
    """A prices dict whose every lookup fails."""

    def get(self, key: Symbol, default: object = None) -> Price:
        raise RuntimeError("price cache corrupted")


class BrokenClock:
    """A clock that raises."""

    def now_ms(self) -> int:
        raise OSError("clock_gettime failed")


def assert_risk_blocks(
    risk: RiskEngine, snapshot_: PortfolioSnapshot, *words: str, notional: str = "1000"
) -> RiskDecision:
    """The fail-closed assertion for risk: not approved, no notional, reason says ``words``."""
    decision = risk.check_entry(buy(), Money(notional), snapshot_)
    assert not decision.approved, f"risk approved: {decision!r}"
    assert decision.notional is None
    for word in words:
        assert word in decision.reason, f"{word!r} not in {decision.reason!r}"
    return decision


def _held_without_price() -> PortfolioSnapshot:
    return snapshot("10000", long(BTC, "0.01", "40000"), prices={})


def _held_with_exploding_prices() -> PortfolioSnapshot:
    return PortfolioSnapshot(Amount("10000"), {BTC: long(BTC, "0.01", "40000")}, ExplodingPrices())


FAILURES = [
    pytest.param(
        engine, _held_without_price, "no price to mark the BTCUSDT position", id="no_price"
    ),
    pytest.param(engine, lambda: snapshot("0"), "equity 0 is not positive", id="equity_zero"),
    pytest.param(engine, lambda: snapshot("-50"), "equity -50 is not positive", id="equity_neg"),
    pytest.param(
        engine,
        _held_with_exploding_prices,
        "risk check failed: RuntimeError: price cache corrupted",
        id="prices_raise",
    ),
    pytest.param(
        lambda: RiskEngine(risk_settings(), TradingStateHolder(), BrokenClock()),
        snapshot,
        "risk check failed: OSError: clock_gettime failed",
        id="clock_raises",
    ),
]


@pytest.mark.parametrize(("make", "snap", "words"), FAILURES)
def test_risk_blocks_when_it_cannot_compute(make, snap, words: str) -> None:
    assert_risk_blocks(make(), snap(), words)


def test_shrink_never_turns_a_failure_into_an_approval() -> None:
    assert_risk_blocks(engine(allow_shrink=True), _held_with_exploding_prices(), "RuntimeError")


class ApprovesOnError(RiskEngine):
    """Fail-open mutant: an error inside the check approves the order as asked."""

    def check_entry(self, intent, notional, snapshot):
        try:
            return self._check_entry(intent, notional, snapshot, self._clock.now_ms())
        except Exception:  # the bug being demonstrated
            return RiskDecision.approve(notional, "risk unavailable, allowed", {})


class ApprovesWithoutPrice(RiskEngine):
    """Fail-open mutant: a position it cannot mark is counted as zero exposure."""

    def check_entry(self, intent, notional, snapshot):
        priced = {s: p for s, p in snapshot.positions.items() if s in snapshot.prices}
        return super().check_entry(
            intent, notional, PortfolioSnapshot(snapshot.equity, priced, snapshot.prices)
        )


@pytest.mark.parametrize(
    ("mutant", "snap", "words"),
    [
        pytest.param(ApprovesOnError, _held_with_exploding_prices, "RuntimeError", id="on_error"),
        pytest.param(ApprovesWithoutPrice, _held_without_price, "no price", id="without_price"),
    ],
)
def test_fail_open_variant_is_caught_risk_engine(mutant, snap, words: str) -> None:
    risk = mutant(risk_settings(), TradingStateHolder(), FakeClock())
    with pytest.raises(AssertionError, match="risk approved"):
        assert_risk_blocks(risk, snap(), words)
