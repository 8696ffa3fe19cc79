"""The fake's WebSocket side: ``/v5/public/linear`` and ``/v5/private`` on 127.0.0.1.

An asyncio ``websockets`` server runs on its own thread and loop. Other threads hand it
messages through :meth:`StreamHub.publish` (one sender task, so every connection gets
messages in publish order). Only subscribed topics are pushed; a ``tickers`` topic
gets a snapshot before any delta; ``success:false`` is sent only for a refused auth,
a private subscribe before auth, or an unknown topic. Text pings get the documented
pongs. Faults: close frame, TCP abort, silence (optionally deaf: stop reading too).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Final

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.fakes.auth import verify_ws_auth
from tests.fakes.wire import JsonDict

PUBLIC: Final = "/v5/public/linear"
PRIVATE: Final = "/v5/private"
PRIVATE_TOPICS: Final = frozenset({"order", "execution", "position", "wallet"})
PUBLIC_PREFIXES: Final = ("tickers.", "kline.")
#: pybit 5.17.0 sends a subscribe and only then records its req_id and callbacks; a reply
#: (or snapshot) arriving first on loopback raises KeyError on its thread and kills the
#: connection. Real round trips are milliseconds, so the fake waits this long to answer.
SUBSCRIBE_REPLY_DELAY_S: Final = 0.05


@dataclass(eq=False)
class Client:
    """One connected socket."""

    conn: ServerConnection
    path: str
    conn_id: str
    topics: set[str] = field(default_factory=set)
    snapshots: set[str] = field(default_factory=set)
    authed: bool = False
    silent: bool = False


@dataclass(frozen=True)
class _Outgoing:
    """A message for every client of ``path`` subscribed to ``topic`` (None: all clients)."""

    path: str
    topic: str | None
    message: JsonDict
    snapshot: JsonDict | None = None
    done: threading.Event | None = None


class StreamHub:
    """The WebSocket server; thread-safe control from the test thread."""

    def __init__(
        self,
        keys: Mapping[str, str],
        clock: Callable[[], int],
        snapshot: Callable[[str], JsonDict | None],
        valid_topic: Callable[[str], bool],
        port: int = 0,
    ) -> None:
        self._keys = keys
        self._now = clock
        self._snapshot = snapshot
        self._valid_topic = valid_topic
        self._wanted_port = port
        self._ids = itertools.count(1)
        self._clients: set[Client] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[_Outgoing] | None = None
        self._stop: asyncio.Future[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-bybit-ws", daemon=True)
        self.port = 0
        self.connections = 0
        self.auth_attempts = 0

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start serving; returns once the port is bound."""
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake WebSocket server did not start")

    def stop(self) -> None:
        """Close every socket and stop the server thread."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():

            def finish() -> None:
                if not stop.done():
                    stop.set_result(None)

            loop.call_soon_threadsafe(finish)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._stop = self._loop.create_future()
        server: Server
        async with serve(
            self._handle,
            "127.0.0.1",
            self._wanted_port,
            process_request=self._check_path,
            ping_interval=None,
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            sender = asyncio.create_task(self._send_loop())
            self._ready.set()
            await self._stop
            sender.cancel()

    @staticmethod
    def _check_path(conn: ServerConnection, request: Request) -> Response | None:
        if request.path in (PUBLIC, PRIVATE):
            return None
        return conn.respond(HTTPStatus.NOT_FOUND, f"no stream at {request.path}\n")

    # -- connections ------------------------------------------------------------------

    async def _handle(self, conn: ServerConnection) -> None:
        path = conn.request.path if conn.request is not None else PUBLIC
        client = Client(conn, path, f"fake-conn-{next(self._ids)}")
        self._clients.add(client)
        self.connections += 1
        try:
            async for raw in conn:
                await self._on_message(client, raw)
        except ConnectionClosed:
            pass  # the client went away (or a fault closed it): nothing to answer
        finally:
            self._clients.discard(client)

    async def _send(self, client: Client, message: JsonDict) -> None:
        if client.silent:
            return
        try:
            await client.conn.send(json.dumps(message))
        except ConnectionClosed:
            self._clients.discard(client)

    async def _on_message(self, client: Client, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            await self._send(client, {"success": False, "ret_msg": "invalid json", "op": ""})
            return
        if not isinstance(message, dict):
            return
        op = message.get("op")
        req_id = message.get("req_id")
        if op == "ping":
            await self._send(client, self._pong(client, req_id))
        elif op == "auth" and client.path == PRIVATE:
            self.auth_attempts += 1
            failure = verify_ws_auth(message.get("args"), self._keys, self._now())
            client.authed = failure is None
            reply = {"success": failure is None, "ret_msg": failure or "", "op": "auth"}
            await self._send(client, {**reply, "conn_id": client.conn_id})
        elif op in ("subscribe", "unsubscribe"):
            await self._subscription(client, str(op), message.get("args"), req_id)

    def _pong(self, client: Client, req_id: object) -> JsonDict:
        if client.path == PUBLIC:
            return {
                "success": True,
                "ret_msg": "pong",
                "conn_id": client.conn_id,
                "req_id": req_id or "",
                "op": "ping",
            }
        return {
            "req_id": req_id or "",
            "op": "pong",
            "args": [str(self._now())],
            "conn_id": client.conn_id,
        }

    async def _subscription(self, client: Client, op: str, args: object, req_id: object) -> None:
        await asyncio.sleep(SUBSCRIBE_REPLY_DELAY_S)
        topics = [t for t in args if isinstance(t, str)] if isinstance(args, list) else []
        problem = ""
        if client.path == PRIVATE and not client.authed:
            problem = "Request not authorized"
        for topic in topics:
            if not problem and not self._topic_ok(client, topic):
                problem = f"error:handler not found,topic:{topic}"
        reply: JsonDict = {"success": not problem, "ret_msg": problem, "conn_id": client.conn_id}
        if req_id is not None:
            reply["req_id"] = req_id
        reply["op"] = op
        await self._send(client, reply)
        if problem:
            return
        for topic in topics:
            if op == "unsubscribe":
                client.topics.discard(topic)
                client.snapshots.discard(topic)
                continue
            client.topics.add(topic)
            snapshot = self._snapshot(topic) if topic.startswith("tickers.") else None
            if snapshot is not None:
                client.snapshots.add(topic)
                await self._send(client, snapshot)

    def _topic_ok(self, client: Client, topic: str) -> bool:
        if client.path == PRIVATE:
            return topic in PRIVATE_TOPICS
        return topic.startswith(PUBLIC_PREFIXES) and self._valid_topic(topic)

    # -- publishing -------------------------------------------------------------------

    async def _send_loop(self) -> None:
        queue = self._queue
        if queue is None:
            return
        while True:
            item = await queue.get()
            for client in list(self._clients):
                if client.path != item.path:
                    continue
                if item.topic is None:
                    await self._send(client, item.message)
                elif item.topic in client.topics:
                    await self._deliver(client, item)
            if item.done is not None:
                item.done.set()

    async def _deliver(self, client: Client, item: _Outgoing) -> None:
        topic = item.topic or ""
        if item.snapshot is not None and topic not in client.snapshots:
            client.snapshots.add(topic)
            await self._send(client, item.snapshot)
            return
        await self._send(client, item.message)

    def publish(
        self,
        path: str,
        topic: str | None,
        message: JsonDict,
        *,
        snapshot: JsonDict | None = None,
        wait: bool = False,
    ) -> None:
        """Send ``message`` to the subscribers of ``topic`` on ``path`` (``None``: to all).

        ``snapshot`` goes instead to a subscriber that has not had one yet. ``wait``
        blocks until the message has been written to every socket.
        """
        loop, queue = self._loop, self._queue
        if loop is None or queue is None or loop.is_closed():
            return
        done = threading.Event() if wait else None
        item = _Outgoing(path, topic, message, snapshot, done)
        loop.call_soon_threadsafe(queue.put_nowait, item)
        if done is not None:
            done.wait(5)

    def barrier(self) -> None:
        """Block until every message published before this call has been written."""
        self.publish("", None, {}, wait=True)

    # -- faults and inspection ----------------------------------------------------------

    def _clients_of(self, path: str | None) -> list[Client]:
        return [c for c in list(self._clients) if path is None or c.path == path]

    def _call(self, job: Callable[[], object]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        done = threading.Event()

        def run() -> None:
            try:
                job()
            finally:
                done.set()

        loop.call_soon_threadsafe(run)
        done.wait(5)

    def close(self, path: str | None, code: int = 1001, reason: str = "fake: going away") -> None:
        """Send a close frame on every socket of ``path`` (None: all)."""

        def closer(conn: ServerConnection) -> Callable[[], object]:
            return lambda: asyncio.ensure_future(conn.close(code, reason))

        for client in self._clients_of(path):
            self._call(closer(client.conn))

    def abort(self, path: str | None) -> None:
        """Drop the TCP connection of every socket of ``path`` with no close frame."""
        for client in self._clients_of(path):
            self._call(client.conn.transport.abort)

    def silence(self, path: str | None, *, on: bool = True, deaf: bool = False) -> None:
        """Stop (or resume) sending on the sockets of ``path``; ``deaf`` also stops reading,
        so protocol pings go unanswered."""
        for client in self._clients_of(path):
            client.silent = on
            transport = client.conn.transport
            if deaf and on:
                self._call(transport.pause_reading)
            elif not on:
                self._call(transport.resume_reading)

    def subscribers(self, topic: str) -> int:
        """How many connected sockets are subscribed to ``topic`` now."""
        return sum(1 for c in list(self._clients) if topic in c.topics)

    def open_sockets(self, path: str | None = None) -> int:
        """How many sockets of ``path`` (None: all) are connected now."""
        return len(self._clients_of(path))
