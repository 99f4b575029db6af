"""End-to-end tests: the real app in HTTP and Socket Mode against the sandbox and the fake Slack."""
