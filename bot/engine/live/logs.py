"""The log of a live run: one line per event, text for people or JSON for machines.

Every line carries the time, the level, the event name and the run id, then the event's
fields. ``json`` writes one object per line (``ts``, ``level``, ``event``, ``run_id`` and
the fields). Secrets never appear: the key and secret the run holds are replaced by
``***`` in every line as a last line of defence, and library log records (pybit,
websocket-client, urllib3) are bridged in at WARNING and above with every URL replaced
by ``<url>`` (pybit names request URLs in some errors).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.config.schema import LogFormat

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
_LIBRARIES = ("pybit", "websocket", "urllib3", "requests")


@runtime_checkable
class TextSink(Protocol):
    """Where log lines go: ``sys.stderr``, a file, a test's buffer."""

    def write(self, text: str, /) -> int:
        """Write ``text``."""
        ...

    def flush(self) -> None:
        """Push what was written."""
        ...


def _plain(value: object) -> str | int | float | bool | None:
    """A field value as JSON can hold it: numbers of money stay exact strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | Path):
        return str(value)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _text_value(value: str | int | float | bool | None) -> str:
    text = "-" if value is None else str(value)
    return json.dumps(text) if (" " in text or "=" in text or not text) else text


class LiveLog:
    """Writes structured lines to ``stream`` (stderr by default), each with ``run_id``.

    ``secrets`` are masked in every line. ``copy_to`` also appends every line to a
    file (used only when ``live.write_outputs`` is true). Thread-safe.
    """

    def __init__(
        self,
        run_id: str,
        *,
        fmt: LogFormat = LogFormat.text,
        stream: TextSink | None = None,
        secrets: Iterable[str] = (),
        copy_to: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.run_id = run_id
        self._fmt = fmt
        self._stream = stream
        self._secrets = tuple(s for s in secrets if len(s) >= 4)
        self._copy_to = copy_to
        self._clock = clock
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def info(self, event: str, **fields: object) -> None:
        """An ordinary event."""
        self.emit("info", event, fields)

    def warning(self, event: str, **fields: object) -> None:
        """Something went wrong and the bot dealt with it."""
        self.emit("warning", event, fields)

    def alarm(self, event: str, **fields: object) -> None:
        """Something the operator must look at (level ``error``)."""
        self.emit("error", event, fields)

    def emit(self, level: str, event: str, fields: dict[str, object]) -> None:
        """Write one line; never raises (a broken stderr must not stop a shutdown)."""
        stamp = datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="milliseconds")
        values = {k: _plain(v) for k, v in fields.items()}
        if self._fmt is LogFormat.json:
            line = json.dumps(
                {"ts": stamp, "level": level, "event": event, "run_id": self.run_id, **values},
                ensure_ascii=False,
            )
        else:
            pairs = " ".join(f"{k}={_text_value(v)}" for k, v in values.items())
            line = f"{stamp} {level.upper():<7} [{self.run_id}] {event}" + (
                f" {pairs}" if pairs else ""
            )
        line = self.mask(line)
        with self._lock:
            self.counts[level] = self.counts.get(level, 0) + 1
            try:
                stream = self._stream if self._stream is not None else sys.stderr
                stream.write(line + "\n")
                stream.flush()
                if self._copy_to is not None:
                    with self._copy_to.open("a", encoding="utf-8") as copy:
                        copy.write(line + "\n")
            except (OSError, ValueError):
                pass  # stderr closed or full: the journal, not the log, is the record

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class LibraryBridge(logging.Handler):
    """Library log records (WARNING and above) as ``library`` events, URLs removed."""

    def __init__(self, log: LiveLog) -> None:
        super().__init__(logging.WARNING)
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        """Forward one record; never raises."""
        try:
            message = _URL.sub("<url>", record.getMessage())
        except Exception:  # noqa: BLE001 -- a record that cannot format is dropped, not raised
            message = "<unformattable log record>"
        level = "error" if record.levelno >= logging.ERROR else "warning"
        self._log.emit(level, "library", {"logger": record.name, "message": message})


def bridge_library_logs(log: LiveLog) -> Callable[[], None]:
    """Route every library log through ``log``; returns a function that undoes it.

    Installed before any pybit client is built: pybit adds its own stderr handler when
    the root logger has none.
    """
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in _LIBRARIES}
    # pybit gives its own loggers a stderr handler when it finds none on the root
    own = {
        name: list(logger.handlers)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name.startswith(_LIBRARIES)
    }
    bridge = LibraryBridge(log)
    root.handlers = [bridge]
    root.setLevel(logging.WARNING)
    for name in _LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in own:
        logging.getLogger(name).handlers = []

    def undo() -> None:
        root.handlers, level = saved
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        for name, handlers in own.items():
            logging.getLogger(name).handlers = handlers

    return undo
