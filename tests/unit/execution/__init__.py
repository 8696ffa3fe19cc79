"""Unit tests of the executor, its ledger, pricing and closes."""
