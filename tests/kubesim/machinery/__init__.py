"""Tests of kubesim's machinery package."""
