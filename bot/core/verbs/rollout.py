"""``rollout status|history|undo|restart deployment/NAME [--to-revision=N] [--revision=N]``."""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from bot.core import values
from bot.core.argv import Args
from bot.core.lexicon import DEPLOYMENTS
from bot.core.verbs import arguments
from bot.errors import UsageError


class RolloutAction(enum.StrEnum):
    """The ``rollout`` sub-verbs we accept."""

    STATUS = "status"
    HISTORY = "history"
    UNDO = "undo"
    RESTART = "restart"


@dataclass(frozen=True, slots=True)
class Rollout:
    """``rollout status|history|undo|restart deployment/NAME [--to-revision=N]``."""

    action: RolloutAction
    name: str
    kind: str = "deployment"
    namespace: str | None = None
    to_revision: int | None = None
    """``--to-revision`` for undo, ``--revision`` for history."""


def build(args: Args) -> Rollout:
    if not args.positionals:
        raise UsageError("rollout needs an action: status, history, undo or restart")
    word = args.positionals[0].lower()
    if word in {"pause", "resume"}:
        raise UsageError(f"rollout {word} is not available; use rollout undo or rollout restart")
    try:
        action = RolloutAction(word)
    except ValueError:
        close = difflib.get_close_matches(word, [a.value for a in RolloutAction], n=1, cutoff=0.6)
        hint = f'did you mean "rollout {close[0]}"?' if close else None
        raise UsageError(f'unknown rollout action "{word}"', hint=hint) from None
    target = Args(args.positionals[1:], args.flags)
    _, name, used = arguments.target(target, f"rollout {word}", (DEPLOYMENTS,))
    arguments.no_more(target, used, "rollout one deployment at a time")
    revision = _revision(args, action)
    return Rollout(
        action=action, name=name, namespace=arguments.namespace(args), to_revision=revision
    )


def _revision(args: Args, action: RolloutAction) -> int | None:
    """``--to-revision`` (undo) or ``--revision`` (history); 0 means kubectl's default."""
    to_revision, revision = args.flag("to-revision"), args.flag("revision")
    if to_revision is not None and action is not RolloutAction.UNDO:
        raise UsageError("--to-revision is only for rollout undo")
    if revision is not None and action is not RolloutAction.HISTORY:
        raise UsageError("--revision is only for rollout history")
    value = to_revision if to_revision is not None else revision
    if value is None:
        return None
    number = values.whole_number(value, flag="--to-revision" if to_revision else "--revision")
    return number or None
