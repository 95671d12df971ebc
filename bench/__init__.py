"""Benchmarks: each module prints its figures (never asserted in tests). `python -m bench [name…]`."""
