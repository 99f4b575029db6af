"""Tests of the transports: the Slack app over real HTTP and websockets, Block Kit, the console."""
