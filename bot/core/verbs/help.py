"""``help [VERB]``: the overview, or one verb's usage, summary and examples."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.core.argv import Args
from bot.core.lexicon import ALL_VERBS, SUPPORTED_VERBS
from bot.core.verbs import arguments
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Help:
    """``help [VERB]``."""

    topic: str | None = None
    """The verb asked about, or None for the overview."""


def build(args: Args) -> Help:
    if not args.positionals:
        return Help()
    topic = args.positionals[0].lower()
    if topic not in ALL_VERBS:
        close = difflib.get_close_matches(topic, SUPPORTED_VERBS, n=1, cutoff=0.6)
        hint = f'did you mean "help {close[0]}"?' if close else None
        raise UsageError(f'no help for "{args.positionals[0]}": not a command', hint=hint)
    if topic not in {"set", "rollout"}:  # "help rollout undo" names a sub-command
        arguments.no_more(args, 1, "help takes one verb")
    return Help(topic)
