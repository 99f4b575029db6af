"""Who is asking: the person behind a request, as the policy and the audit trail see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Subject:
    """A chat user; ``user_id`` is the stable key (Slack ``U…`` id), ``user_name`` for display."""

    user_id: str
    user_name: str

    @property
    def actor(self) -> str:
        """How the person is named in change-causes and audit lines: ``slack:@alice``."""
        return f"slack:@{self.user_name}"
