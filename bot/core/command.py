"""Any command the bot understands; each record lives in its verb's module (``bot.core.verbs``).

A namespace of ``None`` means "the configured default namespace"; the service resolves it.
"""

from __future__ import annotations

from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get
from bot.core.verbs.help import Help
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.version import Version

Command = Version | Help | Get | Describe | Logs | Scale | SetImage | Rollout | Delete
"""Any parsed command."""

READ_ONLY: tuple[type, ...] = (Version, Help, Get, Describe, Logs)
"""Command types that never change the cluster."""


def is_mutating(command: Command) -> bool:
    """True when running the command changes the cluster."""
    if isinstance(command, Rollout):
        return command.action not in (RolloutAction.STATUS, RolloutAction.HISTORY)
    return not isinstance(command, READ_ONLY)
