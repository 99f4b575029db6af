"""The one-line announcement of a change, naming who did what where.

A change is posted to the channel so that everyone sees it; kubectl's own summary line
(``deployment.apps/web scaled``) says what happened but not who did it or where, so the
headline does: ``@alice scaled deployment/web in prod to 4 replicas``.
"""

from __future__ import annotations

from bot.core.command import Command
from bot.core.lexicon import SINGULAR
from bot.core.subject import Subject
from bot.core.verbs.delete import Delete
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage


def announcement(subject: Subject, command: Command) -> str:
    """The headline for a change ``subject`` made with ``command``."""
    who = f"@{subject.user_name}"
    match command:
        case Scale():
            target = f"{command.kind}/{command.name}{_in(command.namespace)}"
            return f"{who} scaled {target} to {command.replicas} {_replicas(command.replicas)}"
        case SetImage():
            images = ", ".join(f"{container}={image}" for container, image in command.images)
            target = f"{command.kind}/{command.name}{_in(command.namespace)}"
            return f"{who} set the image of {target} to {images}"
        case Rollout(action=RolloutAction.UNDO):
            target = f"{command.kind}/{command.name}{_in(command.namespace)}"
            revision = f" to revision {command.to_revision}" if command.to_revision else ""
            return f"{who} rolled back {target}{revision}"
        case Rollout(action=RolloutAction.RESTART):
            return f"{who} restarted {command.kind}/{command.name}{_in(command.namespace)}"
        case Delete(name=str() as name):
            kind = SINGULAR.get(command.resource, command.resource)
            return f"{who} deleted {kind}/{name}{_in(command.namespace)}"
        case Delete():
            where = _in(command.namespace)
            return f"{who} deleted the {command.resource} matching {command.selector}{where}"
        case _:
            return f"{who} ran {type(command).__name__.lower()}"


def _in(namespace: str | None) -> str:
    return f" in {namespace}" if namespace else ""


def _replicas(count: int) -> str:
    return "replica" if count == 1 else "replicas"
