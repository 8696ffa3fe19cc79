"""Live trading on Bybit: the road (:mod:`.road`), the feeds the guards read
(:mod:`.feeds`), the runner and the operator tasks."""
