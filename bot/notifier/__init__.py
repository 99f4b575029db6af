"""Rollout notifications: the watcher, each message's lifecycle and leader election (independent
of the service; it shares the core's ``ChatSink`` seam with command replies)."""
