"""Files that must fail ``mypy``; each marks its expected errors with ``# expect: <code>``."""
