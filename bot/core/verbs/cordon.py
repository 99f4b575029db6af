"""``cordon|uncordon NODE``: mark a node unschedulable (or schedulable again).

Cordoning stops new pods from landing on the node; those already there keep running (draining
them is out of the bot's scope). kubectl takes the node's name, or ``node/NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import NODES, RESOURCE_WORDS
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Cordon(Command):
    """``cordon NODE`` (``unschedulable``) or ``uncordon NODE``."""

    name: str
    unschedulable: bool
    """True to cordon, False to uncordon."""

    @property
    def verb(self) -> str:
        return "cordon" if self.unschedulable else "uncordon"


def _build(args: Args, *, unschedulable: bool) -> Cordon:
    verb = "cordon" if unschedulable else "uncordon"
    if not args.positionals:
        raise UsageError(f"{verb} needs a node name", hint=f'try "{verb} NODE" (see get nodes)')
    arguments.no_more(args, 1, f"{verb} one node at a time")
    word, slash, name = args.positionals[0].rpartition("/")
    if slash and RESOURCE_WORDS.get(word.lower()) != NODES:
        raise UsageError(f'{verb} works on nodes only, not "{word}"')
    return Cordon(name=values.object_name(name, what="node"), unschedulable=unschedulable)


CORDON: Final = VerbSpec(
    name="cordon",
    words=("cordon",),
    record=Cordon,
    flags=(),
    build=lambda args: _build(args, unschedulable=True),
    usage="cordon NODE",
    summary="mark a node unschedulable: no new pods land on it (admins)",
    examples=("cordon sandbox-worker", "cordon node/sandbox-worker"),
    names="node",
    mutating=True,
    action=lambda _: "cordon nodes",
    announce=lambda cmd: f"cordoned node/{cmd.name}",
)

UNCORDON: Final = VerbSpec(
    name="uncordon",
    words=("uncordon",),
    record=Cordon,
    flags=(),
    build=lambda args: _build(args, unschedulable=False),
    usage="uncordon NODE",
    summary="mark a node schedulable again (admins)",
    examples=("uncordon sandbox-worker",),
    names="node",
    mutating=True,
    action=lambda _: "uncordon nodes",
    announce=lambda cmd: f"uncordoned node/{cmd.name}",
)
