"""Tests of kubesim's admission package."""
