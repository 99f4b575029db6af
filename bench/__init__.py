"""Benchmarks: they measure and print; they assert nothing (tests assert behaviour)."""
