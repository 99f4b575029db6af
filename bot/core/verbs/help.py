"""``help [VERB]``: the overview, or one verb's usage, summary and examples.

The bot answers it without the cluster. Which topics exist is the registry's to say, so the
builder keeps the words as typed and the grammar checks them (``bot.core.usage.help_topic``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.argv import Args
from bot.core.command import Command
from bot.core.verbs.spec import VerbSpec


@dataclass(frozen=True, slots=True)
class Help(Command):
    """``help [VERB]``."""

    topic: str | None = None
    """The command asked about (``logs``, ``rollout undo``), or None for the overview."""

    @property
    def verb(self) -> str:
        return "help"


def build(args: Args) -> Help:
    """The topic as typed, lower-cased; ``help_topic`` checks it against the registry."""
    return Help(" ".join(args.positionals).lower() or None)


SPEC: Final = VerbSpec(
    name="help",
    words=("help",),
    record=Help,
    flags=(),
    build=build,
    usage="help [VERB]",
    summary="show this help, or the help of one verb",
    examples=("help", "help logs", "help rollout undo"),
    mutating=False,
    on_cluster=False,
)
