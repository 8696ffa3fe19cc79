"""Client-side rate limits with Bybit's published numbers, one token bucket per group.

Bybit counts requests per UID and endpoint group per second (``rate-limit.mdx``) and
answers 10006 once a group is exhausted; every request also counts against the per-IP
limit of 600 per 5 s (HTTP 403 and a ban of at least 10 minutes beyond it). Staying under
both on our side keeps the venue from refusing orders at the worst moment.

A request reserves its tokens and waits for them when the wait is short; when the wait
would exceed ``max_wait_s`` it is refused at once with :class:`RateLimitExceeded`, and
nothing is reserved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.errors import ExchangeError


class EndpointGroup(Enum):
    """Bybit's rate-limit groups for linear perpetuals, plus the per-IP limit."""

    ORDER = "order create/amend/cancel/cancel-all"
    BATCH = "batch create/amend/cancel (counted per order)"
    ORDER_QUERY = "order realtime/history, execution list"
    POSITION = "position list"
    LEVERAGE = "set-leverage"
    TRADING_STOP = "trading-stop"
    WALLET = "wallet-balance"
    IP = "every request from this IP"


@dataclass(frozen=True, slots=True)
class Rate:
    """``capacity`` requests per ``per_s`` seconds."""

    capacity: int
    per_s: float

    @property
    def per_second(self) -> float:
        """Tokens refilled per second."""
        return self.capacity / self.per_s


#: Bybit's published numbers (docs/v5/rate-limit/rate-limit.mdx, linear, per UID).
BYBIT_RATES: Final[dict[EndpointGroup, Rate]] = {
    EndpointGroup.ORDER: Rate(10, 1.0),
    EndpointGroup.BATCH: Rate(10, 1.0),
    EndpointGroup.ORDER_QUERY: Rate(50, 1.0),
    EndpointGroup.POSITION: Rate(50, 1.0),
    EndpointGroup.LEVERAGE: Rate(10, 1.0),
    EndpointGroup.TRADING_STOP: Rate(10, 1.0),
    EndpointGroup.WALLET: Rate(50, 1.0),
    EndpointGroup.IP: Rate(600, 5.0),
}


class RateLimitExceeded(ExchangeError):
    """A request would wait longer than allowed for its rate-limit group; it was not sent."""

    def __init__(self, group: EndpointGroup, cost: int, wait_s: float, max_wait_s: float) -> None:
        self.group = group
        self.cost = cost
        self.wait_s = wait_s
        self.max_wait_s = max_wait_s
        super().__init__(
            f"client-side rate limit: {group.value} would need a wait of {wait_s:.3f}s for "
            f"{cost} request(s), more than the allowed {max_wait_s:.3f}s; not sent"
        )


class TokenBucket:
    """A bucket of ``rate.capacity`` tokens refilled continuously; thread-safe."""

    def __init__(self, rate: Rate, clock: Callable[[], float]) -> None:
        self._rate = rate
        self._clock = clock
        self._tokens = float(rate.capacity)
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self, cost: int, max_wait_s: float) -> float | None:
        """Take ``cost`` tokens and return the seconds to wait before sending.

        Returns None (and takes nothing) when the wait would exceed ``max_wait_s`` or the
        cost exceeds the bucket's capacity.
        """
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._updated = now
            capacity = float(self._rate.capacity)
            self._tokens = min(capacity, self._tokens + elapsed * self._rate.per_second)
            if cost > self._rate.capacity:
                return None
            after = self._tokens - cost
            wait = 0.0 if after >= 0 else -after / self._rate.per_second
            if wait > max_wait_s:
                return None
            self._tokens = after
            return wait

    def refund(self, cost: int) -> None:
        """Give back ``cost`` tokens taken by a request that was not sent after all."""
        with self._lock:
            self._tokens = min(float(self._rate.capacity), self._tokens + cost)

    def wait_for(self, cost: int) -> float:
        """Seconds until ``cost`` tokens would be free (for error messages)."""
        with self._lock:
            missing = cost - self._tokens
            return max(0.0, missing / self._rate.per_second)


class RateLimiter:
    """One bucket per :class:`EndpointGroup`; every request also pays the IP bucket.

    ``clock`` and ``sleep`` are injectable so tests are deterministic.
    """

    def __init__(
        self,
        *,
        max_wait_s: float = 1.0,
        rates: dict[EndpointGroup, Rate] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        chosen = BYBIT_RATES if rates is None else rates
        self._buckets = {group: TokenBucket(rate, clock) for group, rate in chosen.items()}
        self._max_wait_s = max_wait_s
        self._sleep = sleep

    def acquire(self, group: EndpointGroup, cost: int = 1) -> float:
        """Wait until ``cost`` requests of ``group`` may go out; returns the seconds waited.

        Raises :class:`RateLimitExceeded` (having reserved nothing) when the wait would
        exceed ``max_wait_s``.
        """
        waits: list[float] = []
        taken: list[tuple[TokenBucket, int]] = []
        charges = [(group, cost)]
        if group is not EndpointGroup.IP:
            charges.append((EndpointGroup.IP, 1))
        for bucket_group, bucket_cost in charges:
            bucket = self._buckets.get(bucket_group)
            if bucket is None:
                continue
            wait = bucket.reserve(bucket_cost, self._max_wait_s)
            if wait is None:
                for done, done_cost in taken:
                    done.refund(done_cost)
                needed = bucket.wait_for(bucket_cost)
                raise RateLimitExceeded(bucket_group, bucket_cost, needed, self._max_wait_s)
            waits.append(wait)
            taken.append((bucket, bucket_cost))
        longest = max(waits, default=0.0)
        if longest > 0:
            self._sleep(longest)
        return longest
