"""Who may run what, and which commands must be confirmed first: pure decisions, no I/O.

The rule is "deny unless allowed": reading is open to everyone in the channel, changing the
cluster only to the Slack user ids listed in ``policy.admins``. The reasons are sentences a user
can act on, because they are shown in chat as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.command import Command, is_mutating
from bot.core.lexicon import SINGULAR
from bot.core.subject import Subject
from bot.core.verbs.delete import Delete
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage


@dataclass(frozen=True, slots=True)
class Policy:
    """The access rules, built from the settings."""

    admins: frozenset[str] = frozenset()
    """Slack user ids (``U…``) allowed to change the cluster."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this subject run this command?"."""

    allowed: bool
    reason: str
    """One sentence; shown to the user when ``allowed`` is False, audited either way."""


def authorize(policy: Policy, subject: Subject, command: Command) -> Decision:
    """Allow read-only commands to everyone and changes to admins only."""
    if not is_mutating(command):
        return Decision(allowed=True, reason="read-only commands are open to everyone")
    if subject.user_id in policy.admins:
        return Decision(allowed=True, reason=f"{subject.user_id} is listed in policy.admins")
    return Decision(
        allowed=False,
        reason=f"only admins may {_action(command)}; "
        "ask an admin or have your user added to policy.admins",
    )


def _action(command: Command) -> str:
    """What the command does, as a verb phrase: "scale deployments"."""
    if isinstance(command, Scale):
        return "scale deployments"
    if isinstance(command, SetImage):
        return "change deployment images"
    if isinstance(command, Rollout):
        if command.action is RolloutAction.UNDO:
            return "roll back deployments"
        return "restart deployments"
    if isinstance(command, Delete):
        return f"delete {command.resource}"
    return "change the cluster"


def confirmation_prompt(command: Command) -> str | None:
    """The question to ask before a damaging command runs, or None when it needs none.

    Damaging means hard to take back: deleting, and scaling a deployment to zero (all its pods
    stop). The prompt names exactly what will happen; the namespace may still be None here when
    the caller has not resolved it, and then the prompt says "the default namespace".
    """
    if isinstance(command, Delete):
        where = _where(command.namespace)
        what = SINGULAR.get(command.resource, command.resource)
        if command.name is not None:
            return f"Delete {what} {command.name} {where}?"
        return f"Delete every {what} matching {command.selector} {where}?"
    if isinstance(command, Scale) and command.replicas == 0:
        where = _where(command.namespace)
        return f"Scale deployment {command.name} {where} to 0 replicas? All of its pods will stop."
    return None


def _where(namespace: str | None) -> str:
    return "in the default namespace" if namespace is None else f"in namespace {namespace}"
