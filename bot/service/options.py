"""What the service is told at start-up: a few values, not the whole settings file.

The composition root builds them from the settings, so that the service knows no settings file
and no chat platform (the command prefix is only text to show in replies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.impersonation import Impersonation
from bot.core.reply import Visibility


@dataclass(frozen=True, slots=True)
class ChatOpsOptions:
    """The service's options; the defaults are those of the settings."""

    default_namespace: str = "default"
    """Namespace of commands typed without ``-n``."""
    command_prefix: str = "/k8s"
    """How replies show a command typed: ``/k8s get pods``."""
    read_only: Visibility = Visibility.EPHEMERAL
    """Who sees answers to commands that change nothing."""
    changes: Visibility = Visibility.IN_CHANNEL
    """Who sees the announcement of a change."""
    errors: Visibility = Visibility.EPHEMERAL
    """Who sees errors, denials and failed rollouts."""
    confirmation_expiry: timedelta = timedelta(minutes=5)
    """How long a damaging command waits for its author's confirmation."""
    scale_up_factor: int = 10
    """A scale to more than this many times the current replicas is confirmed first."""
    scale_up_above: int = 100
    """A scale to more than this many replicas is confirmed first."""
    impersonation: Impersonation | None = None
    """Run each command in the cluster as the person who typed it (None: as the bot)."""
