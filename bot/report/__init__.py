"""Run reports: metrics, the terminal summary and the artifacts (CSV, Parquet, JSON, PNG)."""
