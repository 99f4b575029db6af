"""``describe pod|deployment|service|node``: fetch what kubectl fetches, let the core format it.

kubectl's describers read more than the object: the events about it (field selector on
``involvedObject``), a Deployment's ReplicaSets, a Service's Endpoints, a Node's pods and Lease.
Failures of those side reads are tolerated as kubectl tolerates them (the section is left out or
says why), while the object itself must exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from bot.core import kube, rollout
from bot.core.describe import describe_deployment, describe_pod, describe_service
from bot.core.describe_node import describe_node
from bot.core.kube import Obj
from bot.core.rbac import Access, reads
from bot.core.results import Document
from bot.core.verbs.describe import Describe
from bot.errors import BotError, ClusterError, Forbidden, NotFound, UsageError
from bot.gateway.api import Api
from bot.gateway.discovery import (
    DEPLOYMENTS,
    ENDPOINTS,
    EVENTS,
    LEASES,
    NODES,
    PODS,
    REPLICASETS,
    SERVICES,
    Discovery,
    ResourceInfo,
)
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

SUPPORTED = "describe works for pods, deployments, services and nodes"
_BUILT_IN: Final = {"pods": PODS, "deployments": DEPLOYMENTS, "services": SERVICES, "nodes": NODES}
_KINDS: Final = frozenset({("", "Pod"), ("apps", "Deployment"), ("", "Service"), ("", "Node")})


def _escape(value: str) -> str:
    """apimachinery's ``fields.EscapeValue``."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def field_selector(fields: dict[str, str]) -> str:
    """A field selector from exact matches, keys sorted as ``fields.Set.AsSelector`` sorts them."""
    return ",".join(f"{k}={_escape(fields[k])}" for k in sorted(fields))


class Describer:
    """Runs ``describe`` against one cluster."""

    def __init__(
        self,
        api: Api,
        discovery: Discovery,
        *,
        page_size: int,
        max_objects: int,
        now: Callable[[], datetime],
    ) -> None:
        self._api = api
        self._max_objects = max_objects
        self._discovery = discovery
        self._page_size = page_size
        self._now = now

    def describe(self, cmd: Describe) -> Document:
        """Describe one object, or every match of a selector or name prefix (as kubectl does)."""
        info = _BUILT_IN.get(cmd.resource) or self._discovery.resolve(cmd.resource)
        if (info.group, info.kind) not in _KINDS:
            raise UsageError(f"{SUPPORTED}, not {info.qualified}")
        namespace = namespace_of(cmd) if info.namespaced else None
        objects, notes, by_prefix = self._objects(cmd, info, namespace)
        if not objects:
            where = f" in {namespace} namespace" if namespace else ""
            return Document(f"No resources found{where}.")
        now = self._now()
        texts = [self._one(obj, info, namespace, now) for obj in objects]
        if by_prefix:  # kubectl's DescribeMatchingResources ends each one with a newline
            return Document("".join(f"{t}\n" for t in texts), notes=notes)
        return Document("\n\n".join(texts), notes=notes)

    def _objects(
        self, cmd: Describe, info: ResourceInfo, namespace: str | None
    ) -> tuple[list[Obj], tuple[str, ...], bool]:
        """The objects to describe, notes, and whether they were found by name prefix."""
        if cmd.name is not None and cmd.selector is None:
            target = Target(info.kind.lower(), cmd.name, namespace)
            try:
                return [self._api.get(info.path(namespace, cmd.name), target=target)], (), False
            except NotFound:
                # kubectl falls back to every object whose name starts with NAME.
                listed = self._list(info, namespace, [])
                matches = [o for o in listed if kube.name_of(o).startswith(cmd.name)]
                if not matches:
                    raise
                return (*self._bounded(matches), True)
        query = [("labelSelector", cmd.selector)] if cmd.selector else []
        listed = self._list(info, namespace, query)
        if cmd.name is not None:
            listed = [o for o in listed if kube.name_of(o).startswith(cmd.name)]
        return (*self._bounded(listed), False)

    def _bounded(self, objects: list[Obj]) -> tuple[list[Obj], tuple[str, ...]]:
        if len(objects) <= self._max_objects:
            return objects, ()
        note = (
            f"described the first {self._max_objects} of {len(objects)} objects; "
            "name one, or use -l to narrow"
        )
        return objects[: self._max_objects], (note,)

    def _one(self, obj: Obj, info: ResourceInfo, namespace: str | None, now: datetime) -> str:
        if info.kind == "Pod":
            return describe_pod(obj, self._events(obj, namespace, kind=None), now)
        if info.kind == "Deployment":
            owned = self._replica_sets(obj, namespace)
            return describe_deployment(
                obj,
                old=rollout.old_replica_sets(obj, owned) if owned is not None else [],
                new=rollout.new_replica_set(obj, owned) if owned is not None else None,
                events=self._events(obj, namespace, kind="Deployment"),
                now=now,
            )
        if info.kind == "Service":
            events = self._events(obj, namespace, kind="Service")
            return describe_service(obj, self._endpoints(obj, namespace), events, now)
        return self._node(obj, info, now)

    def _list(
        self, info: ResourceInfo, namespace: str | None, query: list[tuple[str, str]]
    ) -> list[Obj]:
        page, _ = self._api.list(info.path(namespace), query=query, page_size=self._page_size)
        return page.items

    def _events(
        self, obj: Obj, namespace: str | None, *, kind: str | None, uid: str | None = None
    ) -> list[Obj] | None:
        fields = {
            "involvedObject.name": kube.name_of(obj),
            "involvedObject.namespace": namespace or "",
            "involvedObject.uid": uid if uid is not None else kube.text(obj, "metadata", "uid"),
        }
        if kind:
            fields["involvedObject.kind"] = kind
        try:
            return self._list(EVENTS, namespace, [("fieldSelector", field_selector(fields))])
        except BotError:
            return None  # kubectl ignores a failed event search and leaves the section out

    def _replica_sets(self, deployment: Obj, namespace: str | None) -> list[Obj] | None:
        selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
        try:
            listed = self._list(REPLICASETS, namespace, [("labelSelector", selector)])
        except BotError:
            return None
        return rollout.owned_replica_sets(deployment, listed)

    def _endpoints(self, service: Obj, namespace: str | None) -> Obj | None:
        try:
            return self._api.get(ENDPOINTS.path(namespace, kube.name_of(service)))
        except BotError:
            return None

    def _node(self, node: Obj, info: ResourceInfo, now: datetime) -> str:
        name = kube.name_of(node)
        selector = field_selector({"spec.nodeName": name}) + (
            ",status.phase!=Succeeded,status.phase!=Failed"
        )
        pods: list[Obj] | None
        try:
            pods = self._list(PODS, None, [("fieldSelector", selector)])
        except Forbidden:
            pods = None
        lease: Obj | None = None
        lease_error: str | None = None
        try:
            lease = self._api.get(LEASES.path("kube-node-lease", name))
        except ClusterError as e:
            lease_error = str(e)
        events = self._events(node, None, kind=info.kind)
        by_name = self._events(node, None, kind=info.kind, uid=name)
        if events is not None and by_name:
            events += by_name
        return describe_node(
            node, pods=pods, lease=lease, lease_error=lease_error, events=events, now=now
        )


def _describe(cmd: Describe, call: Call) -> Document:
    opts = call.options
    describer = Describer(
        call.api,
        call.discovery,
        page_size=opts.page_size,
        max_objects=opts.max_described,
        now=call.now,
    )
    return describer.describe(cmd)


HANDLER: Final = Handler(
    "describe",
    Describe,
    _describe,
    access=(
        *reads("pods"),
        *reads("deployments", "apps"),
        *reads("replicasets", "apps", "list"),
        *reads("services"),
        *reads("nodes"),
        *reads("events", "", "list"),
        Access("get", "endpoints"),
        Access("get", "leases", "coordination.k8s.io"),
    ),
)
