"""Tests of the rollout notifier against the sandbox and the fake Slack."""
