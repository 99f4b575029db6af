"""The answers to ``whoami`` and ``can-i``: what the policy gives the asker here, from the
policy alone (no cluster), in words a user can act on."""

from __future__ import annotations

from bot.core.policy import OPEN_VERBS, Channel, Policy, authorize, bindings_for
from bot.core.reply import Paragraph, Reply, Tone, Visibility
from bot.core.subject import Subject
from bot.core.verbs.can_i import CanI, Probe
from bot.core.verbs.registry import BY_NAME
from bot.errors import UsageError


def whoami_reply(
    policy: Policy, subject: Subject, channel: Channel, *, visibility: Visibility
) -> Reply:
    """The asker's id, groups, and each binding giving them roles in this channel."""
    groups = ", ".join(sorted(subject.groups)) or "none known"
    lines = [f"You are {subject.display} ({subject.user_id}); your user groups: {groups}."]
    bindings = bindings_for(policy, subject, channel)
    for binding in bindings:
        lines.append(f"{binding.label} gives you {', '.join(binding.roles)} {binding.where()}.")
    if not bindings:
        lines.append("No binding gives you a role here: you may run only help, whoami and can-i.")
    where = "this direct message" if channel.direct else f"channel {channel.id}"
    return Reply(
        headline=f"Your roles in {where}",
        parts=tuple(Paragraph(line) for line in lines),
        visibility=visibility,
    )


def can_i_reply(
    policy: Policy, subject: Subject, channel: Channel, command: CanI, *, visibility: Visibility
) -> Reply:
    """yes or no, with the policy's one-sentence reason; limits are checked when it runs."""
    if command.action not in BY_NAME or command.action in OPEN_VERBS:
        known = ", ".join(name for name in BY_NAME if name not in OPEN_VERBS)
        msg = f'unknown verb "{command.action}" for can-i; expected one of: {known}'
        raise UsageError(msg)
    probe = Probe(command.action, command.resource, command.name, command.namespace)
    decision = authorize(policy, subject, channel, probe)
    if decision.allowed:
        extra = " (limits in the rule, such as max_replicas, are checked when it runs)"
        return Reply(
            headline="yes",
            parts=(Paragraph(decision.reason + extra),),
            visibility=visibility,
        )
    return Reply(
        headline="no", parts=(Paragraph(decision.reason),), tone=Tone.ERROR, visibility=visibility
    )
