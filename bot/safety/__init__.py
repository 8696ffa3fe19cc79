"""Safety: the kill switch (panic)."""
