"""Which Slack user groups a person belongs to, for the policy's ``groups`` bindings.

Slack sends a user id with each request, not their groups; ``usergroups.users.list`` (scope
``usergroups:read``) lists a group's members. Only the groups the policy names are asked
about, each cached for a short TTL so that a change in Slack shows within a minute without a
call per request. When Slack cannot be asked, the group matches nobody (a group never allows
by default) and the log says so; the failure is not cached, so the next request asks again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

logger = logging.getLogger(__name__)

GROUP_TTL_SECONDS = 60.0
"""How long a group's member list is trusted before Slack is asked again."""


class UserGroups:
    """Member lists of the policy's groups, cached; safe to call from several threads."""

    def __init__(
        self,
        client: WebClient,
        groups: Iterable[str],
        *,
        ttl: float = GROUP_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._groups = tuple(sorted(set(groups)))
        self._ttl = ttl
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def of(self, user_id: str) -> frozenset[str]:
        """The policy's groups that ``user_id`` is a member of, as far as Slack says now."""
        return frozenset(g for g in self._groups if user_id in self._members_of(g))

    def _members_of(self, group: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._members.get(group)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            response = self._client.usergroups_users_list(usergroup=group)
        except SlackApiError as e:
            logger.warning(
                "cannot ask Slack for the members of user group %s (%s): it matches nobody "
                "until Slack answers; check the usergroups:read scope and the group id",
                group,
                e.response.get("error"),
            )
            return frozenset()
        except (SlackClientError, OSError) as e:
            logger.warning(
                "cannot reach Slack for the members of user group %s (%s): it matches nobody "
                "until Slack answers",
                group,
                type(e).__name__,
            )
            return frozenset()
        users = response.get("users")
        members = (
            frozenset(u for u in users if isinstance(u, str))
            if isinstance(users, list)
            else frozenset()
        )
        with self._lock:
            self._members[group] = (now, members)
        return members


class People:
    """What impersonation needs to know of a person beyond their id: their email address
    (``users.info``, scope ``users:read.email``) and every user group they are in, with its
    handle (``usergroups.list``, scope ``usergroups:read``). Cached like the groups above; when
    Slack cannot be asked the person has no email (commands that need it are refused) and no
    groups (they get fewer permissions, never more)."""

    def __init__(
        self,
        client: WebClient,
        *,
        emails: bool,
        groups: bool,
        ttl: float = GROUP_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.emails = emails
        self.groups = groups
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._email: dict[str, tuple[float, str]] = {}
        self._all: tuple[float, tuple[tuple[str, str, frozenset[str]], ...]] | None = None

    def email_of(self, user_id: str) -> str:
        """Their email address, or "" when Slack does not say."""
        if not self.emails:
            return ""
        now = self._clock()
        with self._lock:
            cached = self._email.get(user_id)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            response = self._client.users_info(user=user_id)
        except (SlackApiError, SlackClientError, OSError) as e:
            logger.warning(
                "cannot ask Slack for the email of %s (%s): commands that act as them in the "
                "cluster are refused until Slack answers; check the users:read.email scope",
                user_id,
                _why(e),
            )
            return ""
        user = response.get("user")
        profile = user.get("profile") if isinstance(user, dict) else None
        email = profile.get("email") if isinstance(profile, dict) else None
        email = email if isinstance(email, str) else ""
        with self._lock:
            self._email[user_id] = (now, email)
        return email

    def groups_of(self, user_id: str) -> tuple[tuple[str, str], ...]:
        """(id, handle) of every user group they are in, as far as Slack says now."""
        if not self.groups:
            return ()
        return tuple(
            (gid, handle) for gid, handle, users in self._every_group() if user_id in users
        )

    def _every_group(self) -> tuple[tuple[str, str, frozenset[str]], ...]:
        now = self._clock()
        with self._lock:
            cached = self._all
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            response = self._client.usergroups_list(include_users=True)
        except (SlackApiError, SlackClientError, OSError) as e:
            logger.warning(
                "cannot ask Slack for its user groups (%s): people act in the cluster without "
                "their groups until Slack answers; check the usergroups:read scope",
                _why(e),
            )
            return ()
        found: list[tuple[str, str, frozenset[str]]] = []
        for group in response.get("usergroups") or ():
            if not isinstance(group, dict):
                continue
            gid, handle, users = group.get("id"), group.get("handle"), group.get("users")
            if isinstance(gid, str) and isinstance(handle, str):
                members = frozenset(u for u in users or () if isinstance(u, str))
                found.append((gid, handle, members))
        every = tuple(found)
        with self._lock:
            self._all = (now, every)
        return every


def _why(e: Exception) -> str:
    if isinstance(e, SlackApiError):
        return str(e.response.get("error"))
    return type(e).__name__
