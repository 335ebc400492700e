"""Benchmarks, run on purpose and never by the test suite (``make bench``; docs/benchmarks.md).

Shared paths, loaders and the matching corpus are in ``bench/common.py``; no benchmark
imports another.
"""
