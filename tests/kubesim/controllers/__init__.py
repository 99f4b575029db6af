"""Tests of kubesim's controllers package."""
