"""What the notifier is configured with: its routes, the namespaces it follows, and how often
and how together it posts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.notifications.routing import Route


@dataclass(frozen=True, slots=True)
class NotifierOptions:
    """What the notifier was configured with."""

    routes: tuple[Route, ...]
    namespaces: tuple[str, ...] = ("*",)
    edit_interval: float = 3.0
    """At most one edit per this many seconds while a rollout progresses."""
    tick: float = 0.5
    """How often throttled edits and pods of live rollouts are looked at."""
    digest_at: int = 4
    """This many rollouts starting together in one channel share one digest message."""
    scale_changes: bool = False
    """A replicas-only change gets a message of its own, followed until the replicas are ready."""
    batch_window: float = 1.0
    """A rollout starting within this long of another in its channel waits (until the channel saw
    no start this long, at most five times as long) so that a burst is posted as one digest; a
    lone rollout is posted at once."""
