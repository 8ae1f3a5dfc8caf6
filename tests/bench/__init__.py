"""Benchmarks: `python -m tests.bench` prints figures; goals live here, not in timed tests."""
