"""Runners that drive strategy, execution and exchange: backtest, paper and live."""
