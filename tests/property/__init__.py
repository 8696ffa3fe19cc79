"""Property-based tests (hypothesis), marked `property`."""
