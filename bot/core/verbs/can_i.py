"""``can-i VERB TYPE [NAME] [-n NS]``: whether the policy lets the caller run a verb here.

The bot answers it from its policy without the cluster, like ``help``; the verb is the policy's
name for it (``scale``, ``set-image``, ``rollout-undo``), checked when it is answered because
the registry that knows the names imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import NAMESPACE
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class CanI(Command):
    """``can-i VERB TYPE [NAME] [-n NS]``."""

    action: str
    """The policy verb asked about: ``scale``, ``rollout-undo``."""
    resource: str
    """The type as typed."""
    name: str | None = None
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return "can-i"


@dataclass(frozen=True, slots=True)
class Probe(Command):
    """The command ``can-i`` asks about, as the policy matches it (limits aside)."""

    action: str
    resource: str
    name: str | None = None
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return self.action


def build(args: Args) -> CanI:
    if len(args.positionals) < 2:
        raise UsageError("can-i needs a verb and a type", hint='try "can-i scale deployments"')
    arguments.no_more(args, 3, "ask about one object at a time")
    action, word, *rest = args.positionals
    if "/" in word and not rest:
        word, _, name_text = word.partition("/")
        rest = [name_text]
    return CanI(
        action=action.lower(),
        resource=values.type_word(word),
        name=values.any_name(rest[0]) if rest else None,
        namespace=arguments.namespace(args),
    )


SPEC: Final = VerbSpec(
    name="can-i",
    words=("can-i",),
    record=CanI,
    flags=(NAMESPACE,),
    build=build,
    usage="can-i VERB TYPE [NAME] [-n NAMESPACE]",
    summary="say whether you may run a verb on a type here, and why",
    examples=("can-i scale deployments web -n prod", "can-i get pods"),
    mutating=False,
    on_cluster=False,
)
