"""Fixtures for the integration tests: a fresh fake Bybit per test and real pybit clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fakes import FakeBybit
from tests.fakes.clients import LoopbackHTTP, LoopbackWebSocket

#: pybit replaces an empty ``retry_codes`` with its defaults (10002, 10006, ...; each retry
#: sleeps 3 s), so "retry nothing" is a set holding only 0, a code that never fails.
NO_RETRY: frozenset[int] = frozenset({0})


@pytest.fixture
def fake() -> Iterator[FakeBybit]:
    """A started fake with BTCUSDT at 65000 and ETHUSDT at 3200."""
    with FakeBybit() as venue:
        venue.set_price("BTCUSDT", "65000")
        venue.set_price("ETHUSDT", "3200")
        yield venue


@pytest.fixture
def clients(fake: FakeBybit) -> Iterator[Callable[..., LoopbackHTTP]]:
    """A factory of pybit HTTP clients to the fake (test key, 2 s timeout); closed at teardown."""
    made: list[LoopbackHTTP] = []

    def open_client(**kwargs: object) -> LoopbackHTTP:
        kwargs.setdefault("api_key", fake.api_key)
        kwargs.setdefault("api_secret", fake.api_secret)
        kwargs.setdefault("timeout", 2)
        client = LoopbackHTTP(base_url=fake.rest_url, **kwargs)
        made.append(client)
        return client

    yield open_client
    for client in made:
        # pybit's requests session (not in the stubs): close it so no socket is left
        # for the garbage collector to warn about in a later test
        client.client.close()  # type: ignore[attr-defined]


@pytest.fixture
def http(clients: Callable[..., LoopbackHTTP]) -> LoopbackHTTP:
    """The real pybit HTTP client, signed with the fake's test key, 2 s timeout, no retries."""
    return clients(retry_codes=set(NO_RETRY))


@pytest.fixture
def streams(fake: FakeBybit) -> Iterator[Callable[..., LoopbackWebSocket]]:
    """A factory of pybit WebSockets to the fake ("linear" or "private"); all exit at teardown."""
    made: list[LoopbackWebSocket] = []

    def open_stream(channel: str, **kwargs: object) -> LoopbackWebSocket:
        if channel == "private":
            url = fake.ws_private_url
            kwargs.setdefault("api_key", fake.api_key)
            kwargs.setdefault("api_secret", fake.api_secret)
        else:
            url = fake.ws_public_url
        ws = LoopbackWebSocket(channel, ws_url=url, **kwargs)
        made.append(ws)
        return ws

    yield open_stream
    for ws in made:
        ws.exit()
