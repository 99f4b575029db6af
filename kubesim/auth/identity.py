"""The authenticated user of one request (``user.Info``): name, uid, groups and extras.

Service-account names and groups follow ``k8s.io/apiserver/pkg/authentication/serviceaccount``.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTHENTICATED = "system:authenticated"
MASTERS = "system:masters"
SA_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True, slots=True)
class UserInfo:
    """One identity, as the authorizer and the reviews see it."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """``(key, values)`` pairs, keys lower-case, in the order they were given."""

    @property
    def privileged(self) -> bool:
        """Whether the user is in ``system:masters`` (allowed everything, before RBAC)."""
        return MASTERS in self.groups

    def extra_dict(self) -> dict[str, list[str]]:
        """The extras as JSON (``userInfo.extra``)."""
        return {key: list(values) for key, values in self.extra}

    def to_json(self) -> dict[str, object]:
        """``authentication.k8s.io/v1 UserInfo``."""
        out: dict[str, object] = {"username": self.name}
        if self.uid:
            out["uid"] = self.uid
        if self.groups:
            out["groups"] = list(self.groups)
        if self.extra:
            out["extra"] = self.extra_dict()
        return out


def service_account_name(namespace: str, name: str) -> str:
    """``system:serviceaccount:NS:NAME``."""
    return f"{SA_PREFIX}{namespace}:{name}"


def split_service_account(username: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of a service-account user name; None for any other name."""
    if not username.startswith(SA_PREFIX):
        return None
    parts = username[len(SA_PREFIX) :].split(":")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


def service_account_groups(namespace: str) -> tuple[str, ...]:
    """The fixed groups of every service account of ``namespace``."""
    return ("system:serviceaccounts", f"system:serviceaccounts:{namespace}")
