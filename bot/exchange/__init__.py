"""Venues: the protocol every venue implements, the simulated venue and the Bybit adapter.

Only :mod:`bot.execution` (and the composition root that builds a venue) may import
this package; the import-linter contract in ``pyproject.toml`` enforces it.
"""
