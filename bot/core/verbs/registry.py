"""The table of the supported verbs' builders: positionals and flags in, a validated command out."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Final

from bot.core.argv import Args
from bot.core.command import Command
from bot.core.verbs import delete, describe, get, logs, rollout, scale, set_image, version
from bot.core.verbs import help as help_verb

BUILDERS: Final[MappingProxyType[str, Callable[[Args], Command]]] = MappingProxyType(
    {
        "version": version.build,
        "help": help_verb.build,
        "get": get.build,
        "describe": describe.build,
        "logs": logs.build,
        "scale": scale.build,
        "set": set_image.build,
        "rollout": rollout.build,
        "delete": delete.build,
    }
)
"""One builder per supported verb: positionals and flags in, a validated command out."""
