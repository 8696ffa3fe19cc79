"""Imported by the fork server of a joblib sweep (:mod:`bot.report.workers`).

Importing this module loads every module of :data:`~bot.report.workers.WORKER_MODULES`,
so the workers forked from the server start with them loaded. A module that cannot be
imported is named on stderr and left to the runs (each imports it again and fails with
its own message, in the sweep table).
"""

from __future__ import annotations

import gc
import sys

from bot.report.workers import WORKER_MODULES, preload

for _problem in preload(WORKER_MODULES):
    sys.stderr.write(f"bot: sweep workers start without {_problem}\n")
# What is loaded now lives as long as the workers: their garbage collector leaves it
# alone (a full collection would walk every object, and so copy every shared page).
gc.freeze()
