"""Tests of kubesim's kubelet package."""
