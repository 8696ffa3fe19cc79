"""Portfolio limits and the trading state (ACTIVE / REDUCING / HALTED)."""
