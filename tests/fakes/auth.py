"""Request signing as Bybit V5 checks it (HMAC-SHA256, ``X-BAPI-*`` headers).

The signed string is ``timestamp + api_key + recv_window + payload``, where the payload
is the raw query string of a GET or the raw body of a POST, exactly as received: the
fake never re-serialises before verifying. The private WebSocket signs
``GET/realtime{expires}``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tests.fakes.wire import BAD_SIGNATURE, INVALID_KEY, INVALID_KEY_MSG, TIMESTAMP_ERROR, V5Error

#: The key pair the fake knows unless told otherwise (also printed by ``python -m tests.fakes``).
TEST_API_KEY: Final = "fakeTestKey0001"
TEST_API_SECRET: Final = "fakeTestSecret0000000000000001"

#: Bybit's default receive window in milliseconds.
DEFAULT_RECV_WINDOW: Final = 5000
#: A request may be at most this far ahead of the server clock.
MAX_AHEAD_MS: Final = 1000

AUTH_HEADERS: Final = ("X-BAPI-API-KEY", "X-BAPI-SIGN", "X-BAPI-TIMESTAMP")


class MissingAuth(Exception):
    """The request lacks one of the auth headers: HTTP 401, no envelope."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """One API key and its secret."""

    api_key: str = TEST_API_KEY
    api_secret: str = TEST_API_SECRET


def sign(secret: str, text: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``text`` under ``secret``."""
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def verify_request(
    headers: Mapping[str, str], payload: str, keys: Mapping[str, str], server_ms: int
) -> str:
    """Check the auth headers of one request; returns the API key or raises.

    Order of checks: headers present (else :class:`MissingAuth`), key known (10003),
    timestamp window ``server - recv_window <= ts < server + 1000`` (10002), signature
    over the raw payload (10004).
    """
    missing = [name for name in AUTH_HEADERS if not headers.get(name)]
    if missing:
        raise MissingAuth(f"missing auth headers: {', '.join(missing)}")
    api_key = headers["X-BAPI-API-KEY"]
    secret = keys.get(api_key)
    if secret is None:
        raise V5Error(INVALID_KEY, INVALID_KEY_MSG)
    raw_ts = headers["X-BAPI-TIMESTAMP"]
    raw_window = headers.get("X-BAPI-RECV-WINDOW") or str(DEFAULT_RECV_WINDOW)
    if not raw_ts.isdigit() or not raw_window.isdigit():
        raise V5Error(
            TIMESTAMP_ERROR,
            f"invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{raw_ts}],server_timestamp[{server_ms}],recv_window[{raw_window}]",
        )
    timestamp, window = int(raw_ts), int(raw_window)
    if not server_ms - window <= timestamp < server_ms + MAX_AHEAD_MS:
        raise V5Error(
            TIMESTAMP_ERROR,
            f"invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{timestamp}],server_timestamp[{server_ms}],recv_window[{window}]",
        )
    origin = f"{raw_ts}{api_key}{raw_window}{payload}"
    if not hmac.compare_digest(sign(secret, origin), headers["X-BAPI-SIGN"].lower()):
        raise V5Error(
            BAD_SIGNATURE,
            "Error sign, please check your signature generation algorithm: "
            f"origin_string[{origin}]",
        )
    return api_key


def verify_ws_auth(args: object, keys: Mapping[str, str], server_ms: int) -> str | None:
    """Check ``{"op":"auth","args":[key, expires, signature]}``; returns why it fails, or None.

    ``expires`` (ms) must still be in the future on the server clock.
    """
    if not isinstance(args, list) or len(args) != 3:
        return "Params Error"
    api_key, expires, signature = args
    if not isinstance(api_key, str) or not isinstance(signature, str):
        return "Params Error"
    if isinstance(expires, bool) or not isinstance(expires, int | str):
        return "Params Error"
    if isinstance(expires, str) and not expires.isdigit():
        return "Params Error"
    secret = keys.get(api_key)
    if secret is None:
        return "Request not authorized: API key is invalid."
    if int(expires) <= server_ms:
        return f"Params Error: expires {expires} is not after server time {server_ms}"
    if not hmac.compare_digest(sign(secret, f"GET/realtime{expires}"), signature.lower()):
        return "Request not authorized: Error sign"
    return None
