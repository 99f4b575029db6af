"""Which describer prints which kind, and the side reads kubectl's describers make.

kubectl picks a describer by group and kind (``describerMap``); each reads what it needs beyond
the object (the events about it, a Deployment's ReplicaSets, a Service's Endpoints) and hands
everything to a pure formatter in ``bot.core``. A kind gets its describer with one line in
``DESCRIBERS``; the side reads are tolerated as kubectl tolerates them (a failed one leaves its
section out or says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core import kube, rollout
from bot.core.describe import describe_deployment, describe_pod, describe_service
from bot.core.describe_node import describe_node
from bot.core.kube import Obj
from bot.errors import BotError, ClusterError, Forbidden
from bot.gateway.api import Api
from bot.gateway.discovery import ENDPOINTS, EVENTS, LEASES, PODS, REPLICASETS, ResourceInfo


def _escape(value: str) -> str:
    """apimachinery's ``fields.EscapeValue``."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def field_selector(fields: dict[str, str]) -> str:
    """A field selector from exact matches, keys sorted as ``fields.Set.AsSelector`` sorts them."""
    return ",".join(f"{k}={_escape(fields[k])}" for k in sorted(fields))


@dataclass(frozen=True, slots=True)
class Reads:
    """What a describer may read besides its object, and the clock it prints ages against."""

    api: Api
    page_size: int
    namespace: str | None
    """The object's namespace; None for a cluster-scoped type."""
    now: datetime

    def items(
        self, info: ResourceInfo, query: list[tuple[str, str]], *, namespace: str | None = None
    ) -> list[Obj]:
        """Every item of one type in the object's namespace (or ``namespace``), all pages."""
        where = namespace if namespace is not None else self.namespace
        page, _ = self.api.list(info.path(where), query=query, page_size=self.page_size)
        return page.items

    def get(self, path: str) -> Obj | None:
        """One object, or None when it cannot be read."""
        try:
            return self.api.get(path)
        except BotError:
            return None

    def events(self, obj: Obj, *, kind: str | None, uid: str | None = None) -> list[Obj] | None:
        """``searchEvents``: the events about ``obj``; None when the search fails."""
        fields = {
            "involvedObject.name": kube.name_of(obj),
            "involvedObject.namespace": self.namespace or "",
            "involvedObject.uid": uid if uid is not None else kube.text(obj, "metadata", "uid"),
        }
        if kind:
            fields["involvedObject.kind"] = kind
        try:
            return self.items(EVENTS, [("fieldSelector", field_selector(fields))])
        except BotError:
            return None  # kubectl ignores a failed event search and leaves the section out


DescribeFn = Callable[[Obj, Reads], str]
"""A describer: the object and its reads in, kubectl's text out."""


def _pod(pod: Obj, reads: Reads) -> str:
    return describe_pod(pod, reads.events(pod, kind=None), reads.now)


def _deployment(deployment: Obj, reads: Reads) -> str:
    selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
    owned: list[Obj] | None
    try:
        listed = reads.items(REPLICASETS, [("labelSelector", selector)])
        owned = rollout.owned_replica_sets(deployment, listed)
    except BotError:
        owned = None
    return describe_deployment(
        deployment,
        old=rollout.old_replica_sets(deployment, owned) if owned is not None else [],
        new=rollout.new_replica_set(deployment, owned) if owned is not None else None,
        events=reads.events(deployment, kind="Deployment"),
        now=reads.now,
    )


def _service(service: Obj, reads: Reads) -> str:
    events = reads.events(service, kind="Service")
    endpoints = reads.get(ENDPOINTS.path(reads.namespace, kube.name_of(service)))
    return describe_service(service, endpoints, events, reads.now)


def _node(node: Obj, reads: Reads) -> str:
    name = kube.name_of(node)
    selector = field_selector({"spec.nodeName": name}) + (
        ",status.phase!=Succeeded,status.phase!=Failed"
    )
    pods: list[Obj] | None
    try:
        pods = reads.items(PODS, [("fieldSelector", selector)])
    except Forbidden:
        pods = None
    lease: Obj | None = None
    lease_error: str | None = None
    try:
        lease = reads.api.get(LEASES.path("kube-node-lease", name))
    except ClusterError as e:
        lease_error = str(e)
    events = reads.events(node, kind="Node")
    by_name = reads.events(node, kind="Node", uid=name)
    if events is not None and by_name:
        events += by_name
    return describe_node(
        node, pods=pods, lease=lease, lease_error=lease_error, events=events, now=reads.now
    )


DESCRIBERS: Final[dict[tuple[str, str], DescribeFn]] = {
    ("", "Pod"): _pod,
    ("apps", "Deployment"): _deployment,
    ("", "Service"): _service,
    ("", "Node"): _node,
}
"""(API group, kind) -> its describer, as kubectl's ``describerMap``."""
