"""Tests of kubesim's scenarios package."""
