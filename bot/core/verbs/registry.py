"""The one table of the verbs the bot runs; everything else looks a verb up here.

A verb is registered by adding its spec(s) to ``SPECS``, in the order ``help`` lists them, and
its handler to the gateway's table (``bot.gateway.verbs.registry``); a test holds the two tables,
``help`` and the README's command reference to each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from bot.core.command import Command
from bot.core.lexicon import REFUSED_VERBS
from bot.core.verbs import (
    can_i,
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
    whoami,
)
from bot.core.verbs import help as help_verb
from bot.core.verbs.spec import VerbSpec

SPECS: Final[tuple[VerbSpec[Any], ...]] = (
    version.SPEC,
    get.SPEC,
    events.SPEC,
    describe.SPEC,
    logs.SPEC,
    top.SPEC,
    scale.SPEC,
    set_image.SPEC,
    rollout.STATUS,
    rollout.HISTORY,
    rollout.UNDO,
    rollout.RESTART,
    rollout_pause.PAUSE,
    rollout_pause.RESUME,
    delete.SPEC,
    cordon.CORDON,
    cordon.UNCORDON,
    label.LABEL,
    label.ANNOTATE,
    whoami.SPEC,
    can_i.SPEC,
    help_verb.SPEC,
)
"""Every verb, in the order ``help`` lists them."""

BY_NAME: Final[Mapping[str, VerbSpec[Any]]] = MappingProxyType({s.name: s for s in SPECS})
"""Specs by policy name (``rollout-undo``)."""

WORDS: Final = tuple(dict.fromkeys(spec.words[0] for spec in SPECS))
"""The first words of the supported verbs (``rollout`` once), for typo suggestions."""

ALL_WORDS: Final = (*WORDS, *REFUSED_VERBS)
"""Every first word the parser recognises, supported or refused."""


def family(word: str) -> tuple[VerbSpec[Any], ...]:
    """The specs typed with ``word`` first: one, or a verb's sub-commands (``rollout ...``)."""
    return tuple(spec for spec in SPECS if spec.words[0] == word)


def spec_of(command: Command) -> VerbSpec[Any]:
    """The spec of a parsed command."""
    return BY_NAME[command.verb]


def is_mutating(command: Command) -> bool:
    """True when running the command changes the cluster."""
    return spec_of(command).mutating
