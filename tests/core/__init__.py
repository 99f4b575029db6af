"""Tests of the pure core: table-driven, with goldens and property tests."""
