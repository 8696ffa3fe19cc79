"""``@hot_path``: no run-time type check on an internal helper of the order path.

beartype checks every annotated call in ``bot``; each check costs about 0.2 us, and an
entry crosses ~180 of them. Internal helpers whose arguments were already checked at
the public boundary that called them (a constructor, ``Executor.submit``, a venue
method) and that validate their own input where it matters are marked ``@hot_path``.
mypy still checks them statically; public methods and constructors are never marked.
"""

from __future__ import annotations

from beartype import BeartypeConf, BeartypeStrategy, beartype

#: Decorator: leave this internal helper out of beartype's run-time checks.
hot_path = beartype(conf=BeartypeConf(strategy=BeartypeStrategy.O0))
