"""Rollout notifications, pure: what a rollout is, where its message goes, what it says.

The notifier (``bot.notifier``) feeds these functions the Deployments it watches and posts what
they return through the ``ChatSink``; keeping them free of I/O lets the state machine and the
routing be tested as tables.
"""
