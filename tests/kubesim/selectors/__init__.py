"""Tests of kubesim's selectors package."""
