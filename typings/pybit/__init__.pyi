"""Hand-written stubs for pybit 5.17.0 (the package ships no type information)."""

VERSION: str
