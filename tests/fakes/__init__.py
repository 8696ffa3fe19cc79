"""A fake Bybit V5 exchange on 127.0.0.1 for tests and for watching the bot by hand.

Public surface:

- :class:`FakeBybit` (``exchange``): REST and WebSocket servers over the sim venue,
  with the control API (prices, bars, clock, instruments) and fault injection.
- :class:`Fault`, :class:`When`, :data:`DROP` (``faults``): scripted HTTP faults.
- :class:`Credentials`, :data:`TEST_API_KEY`, :data:`TEST_API_SECRET` (``auth``).
- :class:`LoopbackHTTP`, :class:`LoopbackWebSocket` (``clients``): the real pybit
  clients pointed at loopback URLs (import ``tests.fakes.clients`` directly; it pulls
  in pybit).
- ``BTCUSDT``, ``ETHUSDT``, ``DEFAULT_INSTRUMENTS``: the instruments listed by default.

Modules: ``exchange`` (the facade and control API), ``routes`` (V5 endpoints),
``rest`` (HTTP server, auth, rate limits, faults), ``stream`` (WebSocket server),
``trading`` (V5 orders over the sim venue), ``queries`` (account endpoints),
``views`` (V5 JSON of orders, executions, positions, wallet), ``market`` (tickers,
candles, instruments), ``auth`` (signatures), ``faults``, ``wire`` (codes, envelope,
strict parameter reading). ``python -m tests.fakes`` runs it by hand.
"""

from tests.fakes.auth import TEST_API_KEY, TEST_API_SECRET, Credentials
from tests.fakes.exchange import BTCUSDT, DEFAULT_INSTRUMENTS, ETHUSDT, FakeBybit
from tests.fakes.faults import DROP, Fault, When

__all__ = [
    "BTCUSDT",
    "DEFAULT_INSTRUMENTS",
    "DROP",
    "ETHUSDT",
    "TEST_API_KEY",
    "TEST_API_SECRET",
    "Credentials",
    "FakeBybit",
    "Fault",
    "When",
]
