"""The fake's WebSocket rules, checked with a raw websocket-client socket."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from websocket import WebSocket, WebSocketTimeoutException, create_connection

from tests.fakes import FakeBybit
from tests.fakes.auth import sign

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def fake() -> Iterator[FakeBybit]:
    with FakeBybit() as venue:
        venue.set_price("BTCUSDT", "65000")
        venue.set_price("ETHUSDT", "3200")
        yield venue


def _ask(ws: WebSocket, message: dict[str, object]) -> dict[str, object]:
    ws.send(json.dumps(message))
    answer = json.loads(ws.recv())
    assert isinstance(answer, dict)
    return answer


def test_public_ping_gets_the_documented_pong(fake: FakeBybit) -> None:
    ws = create_connection(fake.ws_public_url, timeout=2)
    try:
        pong = _ask(ws, {"op": "ping", "req_id": "p1"})
    finally:
        ws.close()
    assert {k: pong[k] for k in ("success", "ret_msg", "req_id", "op")} == {
        "success": True,
        "ret_msg": "pong",
        "req_id": "p1",
        "op": "ping",
    }


def test_subscribe_echoes_req_id_and_never_pushes_other_topics(fake: FakeBybit) -> None:
    ws = create_connection(fake.ws_public_url, timeout=0.5)
    try:
        reply = _ask(ws, {"op": "subscribe", "req_id": "r1", "args": ["tickers.BTCUSDT"]})
        assert (reply["success"], reply["req_id"]) == (True, "r1")
        snapshot = json.loads(ws.recv())
        assert (snapshot["type"], snapshot["data"]["symbol"]) == ("snapshot", "BTCUSDT")
        fake.set_price("ETHUSDT", "3300")
        with pytest.raises(WebSocketTimeoutException):
            ws.recv()
    finally:
        ws.close()


def test_private_auth_with_a_wrong_signature_is_refused(fake: FakeBybit) -> None:
    ws = create_connection(fake.ws_private_url, timeout=2)
    expires = int(time.time() * 1000) + 10_000
    try:
        bad = _ask(ws, {"op": "auth", "args": [fake.api_key, expires, "00" * 32]})
        good_sig = sign(fake.api_secret, f"GET/realtime{expires}")
        good = _ask(ws, {"op": "auth", "args": [fake.api_key, expires, good_sig]})
    finally:
        ws.close()
    assert (bad["success"], good["success"]) == (False, True)


def test_private_subscribe_before_auth_is_refused(fake: FakeBybit) -> None:
    ws = create_connection(fake.ws_private_url, timeout=2)
    try:
        reply = _ask(ws, {"op": "subscribe", "req_id": "s1", "args": ["order"]})
    finally:
        ws.close()
    assert reply["success"] is False
    assert fake.subscribers("order") == 0
