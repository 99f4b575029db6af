"""Tests of kubesim's apiserver package."""
