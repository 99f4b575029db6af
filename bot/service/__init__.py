"""The chat-ops service: parse, authorize, confirm, execute, audit — transport-agnostic, knowing
no chat platform and no settings file; its ports are in ``ports.py``."""
