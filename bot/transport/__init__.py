"""The chat platforms: the Slack app (Bolt; HTTP and Socket Mode), Block Kit rendering, and the
local console. They turn requests into calls and replies into output."""
