"""The namespace a command runs in, read in one place so no verb guesses a default of its own.

The service resolves ``kubernetes.default_namespace`` before it calls the gateway (the
``KubeGateway`` contract), so a namespaced command without one is a caller's bug: falling back
to ``"default"`` here would silently ignore the configured default, so we refuse instead.
"""

from __future__ import annotations

from typing import Protocol


class Namespaced(Protocol):
    """A command that can name a namespace (any record with a ``namespace`` field)."""

    @property
    def namespace(self) -> str | None: ...


def namespace_of(cmd: Namespaced) -> str:
    """The command's resolved namespace; ValueError (a programming error) when it has none."""
    if cmd.namespace is None:
        msg = (
            f"{type(cmd).__name__} command reached the gateway without a namespace; "
            "the caller must resolve the default namespace first"
        )
        raise ValueError(msg)
    return cmd.namespace
