"""Tests of the domain value types."""
