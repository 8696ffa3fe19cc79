"""Pre-trade guards: each a small class; the GuardChain runs them all."""
