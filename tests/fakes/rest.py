"""The fake's HTTP side: V5 REST on 127.0.0.1 (``ThreadingHTTPServer``, HTTP/1.1 keep-alive).

Per request: log it, take a scripted fault, verify auth on private routes (401 without
headers; 10003, 10002, 10004 in the envelope), apply the per-key rate limit (10006 with
the ``X-Bapi-Limit*`` headers), run the route, answer with the envelope.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final
from urllib.parse import parse_qsl

from tests.fakes.auth import MissingAuth, verify_request
from tests.fakes.faults import Fault, FaultBook, Kind, When, apply_edits
from tests.fakes.wire import (
    PARAM_ERROR,
    RATE_LIMITED,
    RATE_LIMITED_MSG,
    JsonDict,
    V5Error,
    envelope,
)

#: A route's work: parsed params and the fault in force (if any) -> result, ext info.
Handler = Callable[[Mapping[str, object], Fault | None], tuple[object, JsonDict | None]]
NON_JSON_BODY: Final = b"<html><body><h1>502 Bad Gateway</h1>fake: not JSON</body></html>"
WINDOW_MS: Final = 1000


@dataclass(frozen=True)
class Route:
    """One endpoint: its method, whether it is signed, its per-second limit and its work.

    ``cost`` says how many units of the limit a request uses (a batch counts its orders).
    """

    method: str
    handler: Handler
    auth: bool = False
    limit: int = 0
    cost: Callable[[Mapping[str, object]], int] = lambda _params: 1


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the fake received it (raw query and body)."""

    method: str
    path: str
    query: str
    body: str
    ts_ms: int


@dataclass
class RateWindow:
    """Use of one (key, path) limit in the current one-second window."""

    start_ms: int
    used: int = 0


@dataclass
class RestState:
    """Everything the request handler needs from the fake."""

    routes: Mapping[str, Route]
    keys: Mapping[str, str]
    faults: FaultBook
    clock: Callable[[], int]
    stopping: threading.Event
    enforce_limits: bool = True
    log: list[LoggedRequest] = field(default_factory=list)
    windows: dict[tuple[str, str], RateWindow] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rate(self, key: str, path: str, limit: int, cost: int) -> tuple[bool, dict[str, str]]:
        """Count ``cost`` against the limit; returns (allowed, the X-Bapi-Limit headers)."""
        now = self.clock()
        with self.lock:
            window = self.windows.get((key, path))
            if window is None or now >= window.start_ms + WINDOW_MS:
                window = self.windows[(key, path)] = RateWindow(now)
            allowed = not self.enforce_limits or window.used + cost <= limit
            if allowed:
                window.used += cost
            headers = {
                "X-Bapi-Limit": str(limit),
                "X-Bapi-Limit-Status": str(max(limit - window.used, 0)),
                "X-Bapi-Limit-Reset-Timestamp": str(window.start_ms + WINDOW_MS),
            }
        return allowed, headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms per answer on loopback)
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in the fake's log instead."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    # -- one request --------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        state = self.server.state
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        with state.lock:
            state.log.append(LoggedRequest(method, path, query, body, state.clock()))
        route = state.routes.get(path)
        if route is None or route.method != method:
            self._send_raw(404, b"not found\n", "text/plain")
            return
        fault = state.faults.take(path)
        if fault is not None and fault.when is When.BEFORE and self._fault(fault, None):
            return
        status, document, headers = self._answer(route, method, path, query, body, fault)
        if fault is not None and fault.when is When.AFTER and self._fault(fault, document):
            return
        self._send_json(status, document, headers)

    def _answer(
        self, route: Route, method: str, path: str, query: str, body: str, fault: Fault | None
    ) -> tuple[int, JsonDict, dict[str, str]]:
        state = self.server.state
        headers: dict[str, str] = {}
        try:
            params = self._params(method, query, body)
            if route.auth:
                payload = query if method == "GET" else body
                headers_in = {k.upper(): v for k, v in self.headers.items()}
                key = verify_request(headers_in, payload, state.keys, state.clock())
                allowed, headers = state.rate(key, path, route.limit, route.cost(params))
                if not allowed:
                    raise V5Error(RATE_LIMITED, RATE_LIMITED_MSG)
            result, ext = route.handler(params, fault)
        except MissingAuth as missing:
            return 401, {"retCode": 401, "retMsg": str(missing)}, headers
        except V5Error as error:
            return 200, envelope(state.clock(), code=error.code, message=error.message), headers
        return 200, envelope(state.clock(), result, ext=ext), headers

    @staticmethod
    def _params(method: str, query: str, body: str) -> Mapping[str, object]:
        if method == "GET":
            return dict(parse_qsl(query, keep_blank_values=True))
        if not body:
            return {}
        try:
            params = json.loads(body)
        except ValueError:
            raise V5Error(PARAM_ERROR, "params error: body is not JSON") from None
        if not isinstance(params, dict):
            raise V5Error(PARAM_ERROR, "params error: body must be a JSON object")
        return params

    def _fault(self, fault: Fault, document: JsonDict | None) -> bool:
        """Apply ``fault``; True when it answered (or dropped) the request itself."""
        state = self.server.state
        if fault.kind is Kind.HTTP_STATUS:
            self._send_raw(fault.status, f"fake: HTTP {fault.status}\n".encode(), "text/plain")
        elif fault.kind is Kind.NON_JSON:
            self._send_raw(200, NON_JSON_BODY, "text/html")
        elif fault.kind is Kind.DROP_CONNECTION:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif fault.kind is Kind.RET_CODE:
            headers = {}
            if fault.reset_in_ms:
                reset = state.clock() + fault.reset_in_ms
                headers = {
                    "X-Bapi-Limit": "10",
                    "X-Bapi-Limit-Status": "0",
                    "X-Bapi-Limit-Reset-Timestamp": str(reset),
                }
            failed = envelope(
                state.clock(), code=fault.code, message=fault.message or RATE_LIMITED_MSG
            )
            self._send_json(200, failed, headers)
        elif fault.kind is Kind.STALL:
            state.stopping.wait(fault.seconds)
            return False
        elif fault.kind is Kind.EDIT and document is not None:
            apply_edits(document, fault.edits)
            return False
        else:
            return False
        return True

    # -- writing --------------------------------------------------------------------------

    def _send_json(self, status: int, document: JsonDict, headers: Mapping[str, str]) -> None:
        self._send_raw(status, json.dumps(document).encode(), "application/json", headers)

    def _send_raw(
        self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] = {}
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client gave up (timed out): nothing to do


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int, state: RestState) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = state


class RestServer:
    """The HTTP server on its own thread."""

    def __init__(self, state: RestState, port: int = 0) -> None:
        self._server = _Server(port, state)
        self._state = state
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.port: int = self._server.server_address[1]

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release stalled responses."""
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
