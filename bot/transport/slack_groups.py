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
