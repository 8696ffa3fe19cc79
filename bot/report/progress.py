"""A progress bar for long runs: silent unless a person is watching a run that takes time.

It draws only when the stream is a terminal and the run has lasted more than
:data:`SHOW_AFTER_S` seconds, and redraws at most every :data:`REDRAW_EVERY_S`
seconds (each redraw rewrites the line and clears its end), so calling
:meth:`Progress.advance` every few thousand bars costs a clock read. Plain text, no
dependency.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final, Protocol, runtime_checkable

#: Seconds a run must last before the bar appears.
SHOW_AFTER_S: Final = 2.0
#: Least seconds between two redraws (at most ten a second).
REDRAW_EVERY_S: Final = 0.1
_WIDTH: Final = 30


@runtime_checkable
class TextStream(Protocol):
    """Where the bar is drawn: any text stream (``sys.stderr``, ``io.StringIO``, ...)."""

    def write(self, text: str, /) -> int:
        """Write ``text``."""
        ...

    def flush(self) -> None:
        """Push what was written to the screen."""
        ...

    def isatty(self) -> bool:
        """Whether a terminal is attached."""
        ...


class Progress:
    """Counts ``total`` steps of ``label``; draws on ``stream`` (default: standard error).

    ``clock`` returns seconds (monotonic); tests pass their own.
    """

    def __init__(
        self,
        total: int,
        *,
        label: str,
        stream: TextStream | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._total = max(total, 0)
        self._label = label
        self._stream = sys.stderr if stream is None else stream
        self._clock = clock
        self._done = 0
        self._started = clock()
        self._drawn_at: float | None = None
        self._closed = False
        self._watched = _is_terminal(self._stream)

    @property
    def done(self) -> int:
        """Steps counted so far."""
        return self._done

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more steps; redraws if due."""
        self._done += n
        if not self._watched or self._closed:
            return
        now = self._clock()
        if now - self._started < SHOW_AFTER_S:
            return
        if self._drawn_at is not None and now - self._drawn_at < REDRAW_EVERY_S:
            return
        self._draw(now)

    def close(self) -> None:
        """Finish: draw the final state and end the line, if the bar was ever shown."""
        if self._closed:
            return
        self._closed = True
        if self._drawn_at is not None:
            self._draw(self._clock())
            self._stream.write("\n")
            self._stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _draw(self, now: float) -> None:
        self._drawn_at = now
        elapsed = now - self._started
        share = min(self._done / self._total, 1.0) if self._total else 1.0
        filled = int(share * _WIDTH)
        eta = f", {elapsed / share - elapsed:.0f}s left" if 0 < share < 1 else ""
        self._stream.write(
            f"\r{self._label} [{'#' * filled}{'.' * (_WIDTH - filled)}] {share * 100:5.1f}%"
            f" {self._done:,}/{self._total:,} {elapsed:.0f}s{eta}\x1b[K"
        )
        self._stream.flush()


def _is_terminal(stream: TextStream) -> bool:
    try:
        return bool(stream.isatty())
    except (ValueError, OSError):  # a closed or detached stream: stay quiet
        return False
