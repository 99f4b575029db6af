"""What the bot asks of Kubernetes' RBAC: each verb's API accesses, and the rule granting one.

Every gateway handler declares the accesses its requests need (``Handler.access``), and the
notifier's are listed here, so that ``k8s-chatops check`` can ask the API server about each one
(a SelfSubjectAccessReview) and print the rule to add for any it refuses: a new verb cannot be
forgotten, because ``tests/test_verbs.py`` fails on a handler that declares none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Access:
    """One (verb, group, resource, subresource) the bot's identity must be allowed, or a
    non-resource URL such as ``/version``."""

    verb: str
    """The RBAC verb: ``get``, ``list``, ``watch``, ``create``, ``update``, ``patch``,
    ``delete``."""
    resource: str = ""
    """The plural (``deployments``); empty for a non-resource URL."""
    group: str = ""
    """The API group; empty for the core group."""
    subresource: str = ""
    """``scale``, ``log``; empty for the object itself."""
    path: str = ""
    """A non-resource URL (``/version``) instead of a resource."""
    own_namespace: bool = False
    """True for what the bot keeps in its own namespace (its Lease, its state): asked there
    rather than in every namespace."""
    namespace: str = ""
    """The one namespace it is needed in, when that is fixed (the kubelets' node Leases in
    ``kube-node-lease``): asked there, granted by a Role there."""

    @property
    def what(self) -> str:
        """``patch deployments.apps/scale``, ``get /version``."""
        if self.path:
            return f"{self.verb} {self.path}"
        group = f".{self.group}" if self.group else ""
        sub = f"/{self.subresource}" if self.subresource else ""
        return f"{self.verb} {self.resource}{group}{sub}"

    def rule(self) -> str:
        """The ClusterRole (or Role) rule that grants it, as one line of YAML flow style."""
        if self.path:
            return f'{{nonResourceURLs: ["{self.path}"], verbs: ["{self.verb}"]}}'
        sub = f"/{self.subresource}" if self.subresource else ""
        return (
            f'{{apiGroups: ["{self.group}"], resources: ["{self.resource}{sub}"], '
            f'verbs: ["{self.verb}"]}}'
        )


def reads(resource: str, group: str = "", *verbs: str) -> tuple[Access, ...]:
    """``get`` and ``list`` (or ``verbs``) of one resource."""
    return tuple(Access(v, resource, group) for v in (verbs or ("get", "list")))


NOTIFIER: Final = (
    *reads("deployments", "apps", "list", "watch"),
    *reads("pods", "", "list", "watch"),
    Access("get", "pods", subresource="log"),
    Access("get", "leases", "coordination.k8s.io", own_namespace=True),
    Access("create", "leases", "coordination.k8s.io", own_namespace=True),
    Access("update", "leases", "coordination.k8s.io", own_namespace=True),
    Access("get", "configmaps", own_namespace=True),
    Access("create", "configmaps", own_namespace=True),
    Access("update", "configmaps", own_namespace=True),
)
"""The rollout notifier's needs: the Deployments watch, a live rollout's pod watch, failing pods
and their logs, and its Lease and state ConfigMap in the bot's own namespace."""

PENDING_REQUESTS: Final = (
    Access("create", "configmaps", own_namespace=True),
    Access("get", "configmaps", own_namespace=True),
    Access("update", "configmaps", own_namespace=True),
    Access("list", "configmaps", own_namespace=True),
    Access("watch", "configmaps", own_namespace=True),
    Access("delete", "configmaps", own_namespace=True),
)
"""Previews waiting for their Confirm or Approve (``bot.gateway.pending_store``): one ConfigMap
per request in the bot's own namespace, answered once by resourceVersion, watched by every
replica's expiry sweeper, expired ones listed and deleted."""

SEEN_REQUESTS: Final = (
    Access("create", "configmaps", own_namespace=True),
    Access("list", "configmaps", own_namespace=True),
    Access("delete", "configmaps", own_namespace=True),
)
"""HTTP mode's record of the signed requests taken (``bot.gateway.seen_requests``): one
ConfigMap per request in the bot's own namespace, listed and deleted once expired."""
