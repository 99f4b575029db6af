"""Tests of kubesim's printing package."""
