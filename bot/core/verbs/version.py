"""``version``: the bot's and the cluster's versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.argv import Args
from bot.core.command import Command
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec


@dataclass(frozen=True, slots=True)
class Version(Command):
    """``version``: client (bot) and server versions."""

    @property
    def verb(self) -> str:
        return "version"


def build(args: Args) -> Version:
    arguments.no_more(args, 0, "version takes no arguments")
    return Version()


SPEC: Final = VerbSpec(
    name="version",
    words=("version",),
    record=Version,
    flags=(),
    build=build,
    usage="version",
    summary="show the bot's and the cluster's versions",
    examples=("version",),
    mutating=False,
)
