"""Tests of kubesim's storage package."""
