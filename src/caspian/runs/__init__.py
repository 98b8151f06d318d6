"""Runs: the one definition of a run directory, a single run end to end, and the cross-check."""
