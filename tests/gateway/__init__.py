"""Tests of the Kubernetes gateway against the sandbox over HTTPS, judged by kubectl."""
