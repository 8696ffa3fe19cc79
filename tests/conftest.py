"""Shared test configuration.

Hypothesis runs without a per-example deadline: speed is measured in ``benchmarks/``,
never asserted in tests, and a deadline turns a slow CI machine into a flaky failure.
``HYPOTHESIS_PROFILE=thorough`` runs ten times the examples.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("bot", deadline=None, print_blob=True)
settings.register_profile("thorough", parent=settings.get_profile("bot"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "bot"))
