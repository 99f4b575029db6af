"""``describe TYPE [NAME]`` of any type discovery lists: fetch the objects, let a describer print.

The kind's own describer when ``bot.gateway.describers`` has one (their side reads: events, a
Deployment's ReplicaSets, a Service's Endpoints, a Node's pods and Lease ...), else kubectl's
generic one (every field as an indented map). The object itself must exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from bot.core import kube
from bot.core.kube import Obj
from bot.core.rbac import Access, reads
from bot.core.results import Document
from bot.core.verbs.describe import Describe
from bot.errors import NotFound
from bot.gateway.api import Api
from bot.gateway.describers import DESCRIBERS, Reads, generic
from bot.gateway.discovery import DEPLOYMENTS, NODES, PODS, SERVICES, Discovery, ResourceInfo
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

_BUILT_IN: Final = {"pods": PODS, "deployments": DEPLOYMENTS, "services": SERVICES, "nodes": NODES}


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
        reads = Reads(self._api, self._page_size, namespace, now)
        describer = DESCRIBERS.get((info.group, info.kind))
        if describer is None:  # a list's items carry no type; kubectl's decoder sets it
            return generic({"apiVersion": info.api_version, "kind": info.kind, **obj}, reads)
        return describer(obj, reads)

    def _list(
        self, info: ResourceInfo, namespace: str | None, query: list[tuple[str, str]]
    ) -> list[Obj]:
        page, _ = self._api.list(info.path(namespace), query=query, page_size=self._page_size)
        return page.items


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
        *reads("statefulsets", "apps"),
        *reads("daemonsets", "apps"),
        *reads("jobs", "batch"),
        *reads("cronjobs", "batch"),
        *reads("services"),
        *reads("nodes"),
        *reads("events", "", "list"),
        Access("get", "endpoints"),
        Access("get", "leases", "coordination.k8s.io", namespace="kube-node-lease"),
    ),
)
