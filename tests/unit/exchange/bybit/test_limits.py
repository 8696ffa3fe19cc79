"""Client-side rate limits, driven by an injected clock (no real waiting)."""

from __future__ import annotations

import pytest

from bot.exchange.bybit.limits import BYBIT_RATES, EndpointGroup, RateLimiter, RateLimitExceeded


class FakeTime:
    """A clock that only moves when told to, and a sleep that moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make(max_wait_s: float = 1.0) -> tuple[RateLimiter, FakeTime]:
    fake = FakeTime()
    return RateLimiter(max_wait_s=max_wait_s, clock=fake.clock, sleep=fake.sleep), fake


def test_published_numbers() -> None:
    assert BYBIT_RATES[EndpointGroup.ORDER].per_second == 10
    assert BYBIT_RATES[EndpointGroup.BATCH].per_second == 10
    assert BYBIT_RATES[EndpointGroup.ORDER_QUERY].per_second == 50
    assert BYBIT_RATES[EndpointGroup.POSITION].per_second == 50
    assert BYBIT_RATES[EndpointGroup.LEVERAGE].per_second == 10
    assert BYBIT_RATES[EndpointGroup.WALLET].per_second == 50
    assert BYBIT_RATES[EndpointGroup.IP].per_second == 120


def test_a_burst_of_ten_orders_goes_out_then_the_eleventh_waits_a_tenth_of_a_second() -> None:
    limiter, fake = make()
    assert [limiter.acquire(EndpointGroup.ORDER) for _ in range(10)] == [0.0] * 10
    assert limiter.acquire(EndpointGroup.ORDER) == pytest.approx(0.1)
    assert fake.slept == [pytest.approx(0.1)]


def test_refill_after_a_second_allows_a_new_burst() -> None:
    limiter, fake = make()
    for _ in range(10):
        limiter.acquire(EndpointGroup.ORDER)
    fake.now += 1.0
    assert [limiter.acquire(EndpointGroup.ORDER) for _ in range(10)] == [0.0] * 10
    assert fake.slept == []


def test_a_batch_counts_per_order() -> None:
    limiter, _fake = make()
    assert limiter.acquire(EndpointGroup.BATCH, 10) == 0.0
    assert limiter.acquire(EndpointGroup.BATCH, 5) == pytest.approx(0.5)


def test_a_wait_beyond_the_bound_is_refused_and_reserves_nothing() -> None:
    limiter, fake = make(max_wait_s=0.05)
    for _ in range(10):
        limiter.acquire(EndpointGroup.ORDER)
    with pytest.raises(RateLimitExceeded) as raised:
        limiter.acquire(EndpointGroup.ORDER)
    assert raised.value.group is EndpointGroup.ORDER
    assert "order create" in str(raised.value)
    assert "not sent" in str(raised.value)
    fake.now += 0.1
    assert limiter.acquire(EndpointGroup.ORDER) == 0.0


def test_groups_are_independent() -> None:
    limiter, _fake = make(max_wait_s=0.0)
    for _ in range(10):
        limiter.acquire(EndpointGroup.ORDER)
    assert limiter.acquire(EndpointGroup.WALLET) == 0.0
    with pytest.raises(RateLimitExceeded):
        limiter.acquire(EndpointGroup.ORDER)


def test_every_request_pays_the_ip_limit() -> None:
    limiter, fake = make(max_wait_s=0.0)
    for _ in range(600):
        limiter.acquire(EndpointGroup.IP)
    with pytest.raises(RateLimitExceeded) as raised:
        limiter.acquire(EndpointGroup.WALLET)
    assert raised.value.group is EndpointGroup.IP
    fake.now += 1.0
    assert limiter.acquire(EndpointGroup.WALLET) == 0.0


def test_more_than_a_bucket_at_once_is_refused() -> None:
    limiter, _ = make(max_wait_s=100.0)
    with pytest.raises(RateLimitExceeded):
        limiter.acquire(EndpointGroup.BATCH, 11)
