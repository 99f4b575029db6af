"""Tests of the pure authentication and authorization pieces."""
