"""Run reports: metrics, the terminal summary and the artifacts (CSV, Parquet, JSON, PNG).

Public surface, one module each (imported by module so that ``python -m bot --help``
loads none of them; pyarrow and matplotlib load only when artifacts are written):

- :mod:`bot.report.record`: :class:`TradeRecord`, :class:`RunRecord` (what a run hands over)
- :mod:`bot.report.metrics`: :func:`compute_metrics` -> :class:`Metrics`
  (``as_dict()``, ``objective(name)``), :func:`drawdown_pct`
- :mod:`bot.report.summary`: :func:`summary_table`, :func:`duration_text`
- :mod:`bot.report.artifacts`: :func:`write_artifacts` (``trades.csv``,
  ``equity.parquet``, ``metrics.json``, ``report.png``)
- :mod:`bot.report.progress`: :class:`Progress`
- :mod:`bot.report.sweep`: :class:`SweepTable` (the Hydra callback that prints and
  writes the table of a multirun, best objective first)
- :mod:`bot.report.workers`: :class:`WarmWorkers` (the Hydra callback of ``+sweep=local``
  that forks joblib's workers from a server with the backtest loaded; the server
  imports :mod:`bot.report.preload`)
"""
