"""Who may answer a previewed request: its author confirms or cancels; approvers approve.

A rule with ``approvers: [ROLE, …]`` needs a *different* person holding one of those roles in
the channel the request was typed in. Pure, over the policy's bindings; the sentences are shown
in chat as they are, so a refusal names who could approve instead.
"""

from __future__ import annotations

from bot.core.policy import Channel, Policy, bindings_for
from bot.core.subject import Subject


def approver_role(
    policy: Policy, subject: Subject, channel: Channel, roles: tuple[str, ...]
) -> str | None:
    """The first of ``roles`` that ``subject`` holds in ``channel``, or None."""
    held = {role for binding in bindings_for(policy, subject, channel) for role in binding.roles}
    return next((role for role in roles if role in held), None)


def who_can_approve(
    policy: Policy, roles: tuple[str, ...], channel: Channel, *, author: str, other_than: str
) -> str:
    """``someone other than you holding sre-lead in this channel (U0BOB or a member of S0SRE)``;
    ``author``'s id is left out of the people named."""
    users: list[str] = []
    groups: list[str] = []
    for binding in policy.all_bindings():
        if not binding.applies_in(channel) or not set(binding.roles) & set(roles):
            continue
        users.extend(sorted(u for u in binding.users if u not in ("*", author)))
        groups.extend(sorted(binding.groups))
    named = [*dict.fromkeys(users), *(f"a member of {g}" for g in dict.fromkeys(groups))]
    who = f" ({' or '.join(named)})" if named else ""
    return f"someone other than {other_than} holding {' or '.join(roles)} in this channel{who}"


def self_approval(policy: Policy, roles: tuple[str, ...], channel: Channel, author: str) -> str:
    """The refusal of an author's click on Approve."""
    return (
        "You cannot approve your own request; it needs an approval by "
        f"{who_can_approve(policy, roles, channel, author=author, other_than='you')}. "
        "You may cancel it."
    )


def not_an_approver(
    policy: Policy, roles: tuple[str, ...], channel: Channel, *, author: str, author_name: str
) -> str:
    """The refusal of a click on Approve by someone without an approver role here."""
    who = who_can_approve(policy, roles, channel, author=author, other_than=author_name)
    return f"You may not approve this request of {author_name}: it needs an approval by {who}."
