"""``@hot_path``: no run-time type check on an internal helper of the order path.

beartype checks every annotated call in ``bot``; each check costs about 0.2 us, and an
entry crosses ~180 of them. Internal helpers whose arguments were already checked at
the public boundary that called them (a constructor, ``Executor.submit``, a venue
method) and that validate their own input where it matters are marked ``@hot_path``.
mypy still checks them statically. Constructors are never marked, and public methods only
where every caller sits behind a checked boundary *and* validates the answer itself: the
built-in guards' ``evaluate`` (the GuardChain's ``evaluate`` checked the intent, and the
chain turns any answer that is not a Block or None into a block), the simulated feed's
health readings (each guard validates every reading), the simulated venue's order
desk (only ``SimExchange`` calls it, with arguments it checked) and the order ledger's
``record`` and ``acknowledge`` (the executor and its helpers call them with orders built
by the checked constructor and with the fields of checked answers; ``Order.transition``
still checks every status change). Also the guard chain's ``evaluate`` (it checks its
one input itself and raises :class:`~bot.errors.TypeViolation` as beartype would, and
answers only Blocks) and ``plan_close`` (only the executor calls it, behind ``submit``,
with a checked close intent and instrument; it checks the position itself and builds
its answer with the checked ``ClosePlan`` constructor), and ``PinnedPrices.ticker`` (it
hands on its source's answer, which every reader validates: the guards' ``read_ticker``
and the executor's sizing). In the backtest, the event
engine's own collaborators: the equity line, backfill, loss watch, tick extremes and
bankruptcy reach (``bot/engine``), and the rule plan's calls into its strategy and open
trade (``decide_planned``, ``decide_unsignalled``, ``first_exit``, ``pass_bars``); each is
called only by the engine or the plan, with arrays and values they built from validated
candles and checked domain objects. The engine-strategy boundary (``RulePlan.on_bar``,
``next_bar``, ``skip``) stays checked.
"""

from __future__ import annotations

from beartype import BeartypeConf, BeartypeStrategy, beartype

#: Decorator: leave this internal helper out of beartype's run-time checks.
hot_path = beartype(conf=BeartypeConf(strategy=BeartypeStrategy.O0))
