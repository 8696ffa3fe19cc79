"""Typing tests: files that must pass mypy, and files that must fail it."""
