"""Every interface the service needs from the outside world, owned here so that it depends on
nothing concrete: the Kubernetes gateway and the audit sink are plain protocols.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.results import Result
from bot.service.audit import AuditRecord


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
