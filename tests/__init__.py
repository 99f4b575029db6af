"""The test suite: the real app against the sandbox cluster and a fake Slack, over real HTTP."""
