"""Who is asking: the person behind a request, as the policy and the audit trail see them.

The transport that received the request builds the subject, with its platform's way of naming
people, so that nothing below it (replies, change-causes, the audit trail) knows the platform.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass


@dataclass(frozen=True, slots=True)
class Subject:
    """A chat user; ``user_id`` is the stable key (Slack ``U…`` id), ``user_name`` for display."""

    user_id: str
    user_name: str
    _: KW_ONLY
    display: str
    """How replies name the person: ``@alice`` in Slack."""
    actor: str
    """How change-causes and the log name them: ``slack:@alice``."""
    groups: frozenset[str] = frozenset()
    """The Slack user group ids (``S…``) the person belongs to, as far as the transport knows."""
    email: str = ""
    """Their email address, when the transport looked it up (impersonation by email)."""
    slack_groups: tuple[tuple[str, str], ...] = ()
    """Every Slack user group they are in, as (id, handle), when the transport looked them up
    (impersonation by group)."""
