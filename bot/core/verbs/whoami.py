"""``whoami``: the caller's bindings and roles in this channel; answered by the bot itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.argv import Args
from bot.core.command import Command
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec


@dataclass(frozen=True, slots=True)
class Whoami(Command):
    """``whoami``."""

    @property
    def verb(self) -> str:
        return "whoami"


def build(args: Args) -> Whoami:
    arguments.no_more(args, 0, "whoami takes no arguments")
    return Whoami()


SPEC: Final = VerbSpec(
    name="whoami",
    words=("whoami",),
    record=Whoami,
    flags=(),
    build=build,
    usage="whoami",
    summary="show your Slack id, groups, and the roles you hold in this channel",
    examples=("whoami",),
    mutating=False,
    on_cluster=False,
)
