"""Scripted HTTP faults: what the next N requests to an endpoint suffer, and when.

A fault is queued per endpoint path (``"/v5/order/create"``, or ``"*"`` for any) with a
count. ``when=BEFORE`` answers with the fault without doing the work; ``when=AFTER``
does the work (the order is placed) and then answers with the fault, so the client
cannot know the outcome: the ambiguous create.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Final

#: Marks a field to remove in :meth:`Fault.edit`.
DROP: Final = object()


class When(Enum):
    """Whether the fault hits before or after the server does the work."""

    BEFORE = "before"
    AFTER = "after"


class Kind(Enum):
    """What goes wrong."""

    HTTP_STATUS = "http status"
    STALL = "stall"
    NON_JSON = "non-json body"
    DROP_CONNECTION = "dropped connection"
    RET_CODE = "retCode"
    EDIT = "edited response"
    PARTIAL_FILL = "partial fill"
    FILLS_BEFORE_ACK = "fills before ack"


@dataclass(frozen=True)
class Fault:
    """One scripted failure; build it with the class methods."""

    kind: Kind
    when: When = When.BEFORE
    status: int = 0
    code: int = 0
    message: str = ""
    seconds: float = 0.0
    reset_in_ms: int = 0
    qty: Decimal | None = None
    edits: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def http_status(cls, status: int, *, when: When = When.BEFORE) -> Fault:
        """Answer with HTTP ``status`` (5xx, 403 "access too frequent", 429, ...)."""
        return cls(Kind.HTTP_STATUS, when, status=status)

    @classmethod
    def stall(cls, seconds: float, *, when: When = When.AFTER) -> Fault:
        """Hold the response ``seconds`` (past the client's timeout), then send it."""
        return cls(Kind.STALL, when, seconds=seconds)

    @classmethod
    def non_json(cls, *, when: When = When.BEFORE) -> Fault:
        """HTTP 200 with an HTML body."""
        return cls(Kind.NON_JSON, when)

    @classmethod
    def drop_connection(cls, *, when: When = When.BEFORE) -> Fault:
        """Close the TCP connection without any response."""
        return cls(Kind.DROP_CONNECTION, when)

    @classmethod
    def ret_code(cls, code: int, message: str, *, when: When = When.BEFORE) -> Fault:
        """HTTP 200 with ``retCode`` ``code`` (10016, 10000, ...)."""
        return cls(Kind.RET_CODE, when, code=code, message=message)

    @classmethod
    def rate_limited(cls, reset_in_ms: int = 300) -> Fault:
        """HTTP 200, retCode 10006, ``X-Bapi-Limit-Reset-Timestamp`` ``reset_in_ms`` ahead."""
        return cls(Kind.RET_CODE, When.BEFORE, code=10006, reset_in_ms=max(reset_in_ms, 1))

    @classmethod
    def edit(cls, edits: Mapping[str, object]) -> Fault:
        """Change the JSON answer: ``{"result.list.*.lastPrice": "NaN", "x.y": DROP}``.

        Paths are dotted; a number indexes a list, ``*`` means every element.
        """
        return cls(Kind.EDIT, When.AFTER, edits=dict(edits))

    @classmethod
    def partial_fill(cls, qty: Decimal) -> Fault:
        """A create executes only ``qty`` now; the rest waits for ``fill_remainder``."""
        return cls(Kind.PARTIAL_FILL, When.BEFORE, qty=qty)

    @classmethod
    def fills_before_ack(cls, delay_s: float = 0.2) -> Fault:
        """Push the private-stream messages of a create, then hold the REST ack ``delay_s``."""
        return cls(Kind.FILLS_BEFORE_ACK, When.AFTER, seconds=delay_s)


class FaultBook:
    """Queued faults per endpoint path; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, path: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (``"*"``: any)."""
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times}")
        with self._lock:
            self._queues.setdefault(path, deque()).extend([fault] * times)

    def take(self, path: str) -> Fault | None:
        """The next fault for ``path`` (its own queue first, then ``"*"``), or None."""
        with self._lock:
            for key in (path, "*"):
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
            return None

    def pending(self, path: str | None = None) -> int:
        """How many faults are still queued (for ``path``, or in all)."""
        with self._lock:
            if path is not None:
                return len(self._queues.get(path, ()))
            return sum(len(q) for q in self._queues.values())

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._queues.clear()


def apply_edits(document: object, edits: Mapping[str, object]) -> None:
    """Apply :meth:`Fault.edit` paths to ``document`` in place (missing paths are skipped)."""
    for path, value in edits.items():
        _edit(document, path.split("."), value)


def _edit(node: object, parts: list[str], value: object) -> None:
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        if head == "*":
            targets = list(range(len(node)))
        elif head.isdigit() and int(head) < len(node):
            targets = [int(head)]
        else:
            return
        for index in targets:
            if rest:
                _edit(node[index], rest, value)
            elif value is DROP:
                node.pop(index)
            else:
                node[index] = value
    elif isinstance(node, dict):
        if rest:
            if head in node:
                _edit(node[head], rest, value)
        elif value is DROP:
            node.pop(head, None)
        else:
            node[head] = value
