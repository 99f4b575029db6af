"""Tests of kubesim's patch package."""
