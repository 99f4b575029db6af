"""The one table of the gateway's handlers, by verb name; ``help`` has none (the bot answers it).

A test holds it to the core's table (``bot.core.verbs.registry``): every verb that runs on the
cluster has exactly one handler here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from bot.gateway.handler import Handler
from bot.gateway.verbs import (
    cordon,
    delete,
    describe,
    events,
    get,
    label,
    logs,
    rollout,
    rollout_pause,
    scale,
    set_image,
    top,
    version,
)

HANDLERS: Final[Mapping[str, Handler[Any]]] = MappingProxyType(
    {
        handler.verb: handler
        for handler in (
            version.HANDLER,
            get.HANDLER,
            events.HANDLER,
            describe.HANDLER,
            logs.HANDLER,
            top.HANDLER,
            scale.HANDLER,
            set_image.HANDLER,
            rollout.STATUS,
            rollout.HISTORY,
            rollout.UNDO,
            rollout.RESTART,
            rollout_pause.PAUSE,
            rollout_pause.RESUME,
            delete.HANDLER,
            cordon.CORDON,
            cordon.UNCORDON,
            label.LABEL,
            label.ANNOTATE,
        )
    }
)
"""Every cluster verb's handler, by the spec's name."""
