"""Benchmarks: `python -m benchmarks.NAME` prints one JSON object, with a baseline measured in the same run."""
