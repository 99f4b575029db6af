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
from bot.core.describe import (
    describe_deployment,
    describe_pod,
    describe_service,
    format_endpoints,
)
from bot.core.describe_config import (
    describe_config_map,
    describe_secret,
    describe_service_account,
)
from bot.core.describe_generic import describe_generic
from bot.core.describe_ingress import describe_ingress, resource_backend, service_backend
from bot.core.describe_namespace import describe_limit_range, describe_namespace, describe_quota
from bot.core.describe_node import describe_node
from bot.core.describe_replicaset import describe_replica_set
from bot.core.describe_storage import (
    claim_users,
    describe_claim,
    describe_storage_class,
    describe_volume,
)
from bot.core.kube import Obj
from bot.errors import BotError, ClusterError, Forbidden, NotFound
from bot.gateway.api import Api
from bot.gateway.describe_workloads import WORKLOAD_DESCRIBERS
from bot.gateway.discovery import (
    ENDPOINTS,
    EVENTS,
    LEASES,
    PODS,
    REPLICASETS,
    SERVICES,
    ResourceInfo,
    well_known,
)

RESOURCE_QUOTAS: Final = well_known("", "v1", "resourcequotas", "ResourceQuota", namespaced=True)
SECRETS: Final = well_known("", "v1", "secrets", "Secret", namespaced=True)
LIMIT_RANGES: Final = well_known("", "v1", "limitranges", "LimitRange", namespaced=True)


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


def _replica_set(rs: Obj, reads: Reads) -> str:
    selector = kube.selector_string(kube.mapping(rs, "spec", "selector"))
    pods: list[Obj] | None
    error = ""
    try:
        pods = reads.items(PODS, [("labelSelector", selector)])
    except BotError as e:
        pods, error = None, str(e)
    events = reads.events(rs, kind="ReplicaSet")
    return describe_replica_set(rs, pods=pods, pods_error=error, events=events, now=reads.now)


def _optional(reads: Reads, info: ResourceInfo, namespace: str) -> list[Obj] | None:
    """A list a describer shows when it can; None when the API does not serve the type."""
    try:
        return reads.items(info, [], namespace=namespace)
    except NotFound:
        return None


def _namespace(namespace: Obj, reads: Reads) -> str:
    name = kube.name_of(namespace)
    quotas = _optional(reads, RESOURCE_QUOTAS, name)
    limits = _optional(reads, LIMIT_RANGES, name)
    return describe_namespace(namespace, quotas, limits)


def _config_map(config_map: Obj, reads: Reads) -> str:
    return describe_config_map(config_map, reads.events(config_map, kind="ConfigMap"), reads.now)


def _secret(secret: Obj, _reads: Reads) -> str:
    return describe_secret(secret)


def _ingress(ingress: Obj, reads: Reads) -> str:
    def backend(spec: Obj) -> str:
        if kube.has(spec, "service"):
            return _service_backend(spec, reads)
        if kube.has(spec, "resource"):
            return resource_backend(spec)
        return ""

    events = reads.events(ingress, kind="Ingress")
    return describe_ingress(ingress, backend=backend, events=events, now=reads.now)


def _service_backend(spec: Obj, reads: Reads) -> str:
    """``describeBackendV1``: ``name:port (endpoints)``, or why the Service cannot be read."""
    shown = service_backend(spec)
    name = kube.text(spec, "service", "name")
    try:
        service = reads.api.get(SERVICES.path(reads.namespace, name))
    except NotFound:  # the client's wording, which kubectl prints inside the parentheses
        return f'{shown} (<error: services "{name}" not found>)'
    except BotError as e:
        return f"{shown} (<error: {e}>)"
    endpoints = reads.get(ENDPOINTS.path(reads.namespace, name))
    number = kube.number(spec, "service", "port", "number")
    port_name = kube.text(spec, "service", "port", "name")
    chosen = ""
    for port in kube.items(service, "spec", "ports"):
        if (number and number == kube.number(port, "port")) or (
            port_name and port_name == kube.text(port, "name")
        ):
            chosen = kube.text(port, "name")
    return f"{shown} ({format_endpoints(endpoints, chosen)})"


def _claim(claim: Obj, reads: Reads) -> str:
    pods = reads.items(PODS, [])
    events = reads.events(claim, kind="PersistentVolumeClaim")
    return describe_claim(claim, users=claim_users(claim, pods), events=events, now=reads.now)


def _volume(volume: Obj, reads: Reads) -> str:
    return describe_volume(volume, reads.events(volume, kind="PersistentVolume"), reads.now)


def _storage_class(storage_class: Obj, reads: Reads) -> str:
    events = reads.events(storage_class, kind="StorageClass")
    return describe_storage_class(storage_class, events, reads.now)


def _service_account(account: Obj, reads: Reads) -> str:
    secrets: list[Obj] | None
    try:
        secrets = reads.items(SECRETS, [])
    except BotError:
        secrets = None  # kubectl describes the account with what it references all the same
    events = reads.events(account, kind="ServiceAccount")
    return describe_service_account(account, secrets=secrets, events=events, now=reads.now)


def _quota(quota: Obj, _reads: Reads) -> str:
    return describe_quota(quota)


def _limit_range(limit_range: Obj, _reads: Reads) -> str:
    return describe_limit_range(limit_range)


def generic(obj: Obj, reads: Reads) -> str:
    """kubectl's fallback for every kind without a describer of its own."""
    return describe_generic(obj, reads.events(obj, kind=kube.text(obj, "kind")), reads.now)


DESCRIBERS: Final[dict[tuple[str, str], DescribeFn]] = {
    ("", "Pod"): _pod,
    ("apps", "Deployment"): _deployment,
    ("", "Service"): _service,
    ("", "Node"): _node,
    ("apps", "ReplicaSet"): _replica_set,
    ("", "Namespace"): _namespace,
    ("", "ConfigMap"): _config_map,
    ("", "Secret"): _secret,
    ("networking.k8s.io", "Ingress"): _ingress,
    ("", "PersistentVolumeClaim"): _claim,
    ("", "PersistentVolume"): _volume,
    ("storage.k8s.io", "StorageClass"): _storage_class,
    ("", "ResourceQuota"): _quota,
    ("", "LimitRange"): _limit_range,
    ("", "ServiceAccount"): _service_account,
    **WORKLOAD_DESCRIBERS,
}
"""(API group, kind) -> its describer, as kubectl's ``describerMap``."""
