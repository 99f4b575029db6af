"""Who a Slack user is in the cluster when ``kubernetes.impersonate`` is on. Pure, no I/O.

Each person acts as a Kubernetes user named from a template (``slack:{user_id}``, ``{email}``)
with one Kubernetes group per Slack user group they are in (``slack:{handle}``) plus fixed extra
groups, so that the cluster's own RBAC is a second wall behind the bot's policy. The gateway
sends them as ``Impersonate-User`` and ``Impersonate-Group`` headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Final

from bot.core.subject import Subject
from bot.errors import NotAllowed

USER_FIELDS: Final = frozenset({"user_id", "user_name", "email"})
"""What a user name template may use."""
GROUP_FIELDS: Final = frozenset({"id", "handle"})
"""What a group name template may use, per Slack user group."""


@dataclass(frozen=True, slots=True)
class KubeIdentity:
    """A Kubernetes user and its groups, as the API server's impersonation headers name them."""

    user: str
    groups: tuple[str, ...] = ()


def template_fields(template: str) -> frozenset[str]:
    """The ``{field}`` names a template uses (ValueError for a malformed one)."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name is not None)


def check_template(template: str, allowed: frozenset[str]) -> str:
    """``template`` when it uses only ``allowed`` fields, else ValueError saying which exist."""
    try:
        fields = template_fields(template)
    except ValueError as e:
        msg = f"{template!r} is not a valid template ({e})"
        raise ValueError(msg) from e
    unknown = sorted(fields - allowed)
    if unknown or "" in fields:
        names = ", ".join("{" + f + "}" for f in sorted(allowed))
        msg = f"{template!r} uses {', '.join(unknown) or 'an empty {}'}; it may use {names}"
        raise ValueError(msg)
    return template


@dataclass(frozen=True, slots=True)
class Impersonation:
    """The templates of ``kubernetes.impersonate``."""

    user: str = "slack:{user_id}"
    group: str | None = "slack:{handle}"
    """None: Slack user groups are not sent."""
    extra_groups: tuple[str, ...] = ()

    @property
    def needs_email(self) -> bool:
        """True when the transport must look up each person's email."""
        return "email" in template_fields(self.user)

    def identity(self, subject: Subject) -> KubeIdentity:
        """``subject`` in the cluster; NotAllowed when a field the template needs is unknown."""
        if self.needs_email and not subject.email:
            msg = (
                "the bot cannot act as you in the cluster: Slack did not give your email "
                "address (its users:read.email scope may be missing); try again later"
            )
            raise NotAllowed(msg)
        user = self.user.format(
            user_id=subject.user_id, user_name=subject.user_name, email=subject.email
        )
        groups: list[str] = []
        if self.group is not None:
            groups.extend(
                self.group.format(id=gid, handle=handle) for gid, handle in subject.slack_groups
            )
        groups.extend(g for g in self.extra_groups if g not in groups)
        return KubeIdentity(user, tuple(dict.fromkeys(groups)))
