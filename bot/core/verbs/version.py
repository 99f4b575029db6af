"""``version``: the bot's and the cluster's versions."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.argv import Args
from bot.core.verbs import arguments


@dataclass(frozen=True, slots=True)
class Version:
    """``version``: client (bot) and server versions."""


def build(args: Args) -> Version:
    arguments.no_more(args, 0, "version takes no arguments")
    return Version()
