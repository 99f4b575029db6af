"""Every interface the service needs from the outside world, owned here so that it depends on
nothing concrete: the Kubernetes gateway and the audit sink are plain protocols.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.pending import PromptPlace, StoredChange, StoredRequest
from bot.core.preview import Preview
from bot.core.reply import Reply
from bot.core.results import Result
from bot.service.audit import AuditRecord

Deliver = Callable[[Reply], bool]
"""Puts a reply in front of its audience now; False when it could not (Slack refused it)."""


class KubeGateway(Protocol):
    """Runs one parsed command against the cluster and returns kubectl's answer as data.

    ``actor`` names the person for ``kubernetes.io/change-cause`` (e.g. ``slack:@alice``) and
    ``text`` is the command as typed; ``identity``, when set, is who the cluster must run it as
    (impersonation), so that its RBAC decides too. Namespaces in ``command`` are already
    resolved (never None unless the command is cluster-scoped or ``-A``). Raises
    ``bot.errors.ClusterError`` subclasses and ``UsageError`` (e.g. an unknown container name
    listing the real ones).
    """

    def execute(
        self, command: Command, *, actor: str, text: str, identity: KubeIdentity | None = None
    ) -> Result: ...


class AuditSink(Protocol):
    """Where audit records go; implementations must be safe to call from several threads."""

    def record(self, entry: AuditRecord) -> None: ...


class Previews(Protocol):
    """Reads what a command would change (``bot.gateway.preview.Previewer``); never writes.

    ``prompt`` is the preview of a verb it has no reader for; ``identity``, when set, is who
    reads (the identity the change will run as). Raises the gateway's errors.
    """

    def preview(
        self, command: Command, *, prompt: str, identity: KubeIdentity | None = None
    ) -> Preview: ...


class PendingRequests(Protocol):
    """Where pending requests live so that every replica, and a restarted one, sees them.

    ``replace`` is compare-and-swap on ``version``: of two writers only one succeeds, which is
    how a double click or two replicas run a request once. Safe to call from several threads.
    """

    def create(self, key: str, record: str, *, expires: datetime) -> None: ...

    def read(self, key: str) -> StoredRequest | None: ...

    def replace(self, key: str, record: str, *, version: str, expires: datetime) -> str | None:
        """The new version, or None when another writer changed or removed it first."""
        ...

    def collect(self, before: datetime) -> int: ...


class PendingFeed(Protocol):
    """Follows the pending requests every replica stores (``PendingStore.follow``)."""

    def follow(self, stop: threading.Event) -> Iterator[StoredChange]:
        """Every stored request, then each change, until ``stop``; raises the gateway's
        errors when it cannot go on."""
        ...


class Prompts(Protocol):
    """Edits a prompt where it was delivered (the Slack transport's ``Delivery``)."""

    def replace_prompt(self, place: PromptPlace, reply: Reply) -> bool:
        """Replace the prompt at ``place`` by ``reply``; False when the platform refused."""
        ...
