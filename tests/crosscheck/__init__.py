"""Cross-checks of the backtest against peer backtesting libraries."""
