"""Who may run what, and which commands must be confirmed first: pure decisions, no I/O.

The rule is "deny unless allowed": reading is open to everyone in the channel, changing the
cluster only to the Slack user ids listed in ``policy.admins``. The reasons are sentences a user
can act on, because they are shown in chat as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.command import Command
from bot.core.subject import Subject
from bot.core.verbs.registry import is_mutating, spec_of


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
    action = spec_of(command).action
    return "change the cluster" if action is None else action(command)


def confirmation_prompt(command: Command) -> str | None:
    """The question to ask before a damaging command runs, or None when it needs none.

    Damaging means hard to take back (deleting, scaling a deployment to zero); each verb's spec
    says which of its commands are. The namespace may still be None here when the caller has not
    resolved it, and then the prompt says "the default namespace".
    """
    confirm = spec_of(command).confirm
    return None if confirm is None else confirm(command)
