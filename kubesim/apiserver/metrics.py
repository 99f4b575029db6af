"""``metrics.k8s.io/v1beta1``: what metrics-server would report, from simulated usage.

A real cluster serves this group through an aggregated API server (metrics-server) that samples
the kubelets; ``kubectl top`` reads it. The sandbox runs no containers, so each running container
gets a usage derived from its pod and name (stable across requests and runs, so the bot's and
kubectl's answers can be compared), and a node reports its pods' sum plus its own overhead. Only
``get`` and ``list`` are served, as by metrics-server; a sandbox started without metrics has no
such group in discovery, as a cluster without metrics-server.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from aiohttp import web

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.apiserver.routing import Target
from kubesim.apiserver.wire import respond
from kubesim.machinery.clock import rfc3339
from kubesim.selectors.labels import parse_labels
from kubesim.storage.store import Clock, Obj, Store

GROUP: Final = "metrics.k8s.io"
VERSION: Final = "v1beta1"
NODE_METRICS: Final = ResourceType(
    group=GROUP,
    version=VERSION,
    kind="NodeMetrics",
    plural="nodes",
    singular="",
    namespaced=False,
    verbs=("get", "list"),
)
POD_METRICS: Final = ResourceType(
    group=GROUP,
    version=VERSION,
    kind="PodMetrics",
    plural="pods",
    singular="",
    namespaced=True,
    verbs=("get", "list"),
)
TYPES: Final = (NODE_METRICS, POD_METRICS)
WINDOW: Final = "15.004s"
"""metrics-server's sample window (its resolution plus scrape jitter)."""

_POD = by_kind("Pod")
_NODE = by_kind("Node")
_MIB_KI: Final = 1024


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest())


def container_usage(namespace: str, pod: str, container: str) -> tuple[int, int]:
    """(nanocores, KiB) one running container uses: 1-40 millicores, 4-68 MiB, stable."""
    h = _seed(namespace, pod, container)
    nanocores = (1 + h % 40) * 1_000_000 + (h >> 8) % 1_000_000
    kib = (4 + (h >> 32) % 64) * _MIB_KI + (h >> 16) % _MIB_KI
    return nanocores, kib


def _running(pod: Obj) -> list[str]:
    """The names of the pod's running containers (none unless the pod runs on a node)."""
    if not (pod.get("spec") or {}).get("nodeName"):
        return []
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    return [str(s.get("name")) for s in statuses if (s.get("state") or {}).get("running")]


def pod_metrics(pod: Obj, now: str) -> Obj | None:
    """The ``PodMetrics`` of a pod with running containers, else None (metrics-server skips it)."""
    running = _running(pod)
    if not running:
        return None
    meta = pod["metadata"]
    containers = []
    for name in running:
        cpu, memory = container_usage(meta["namespace"], meta["name"], name)
        containers.append({"name": name, "usage": {"cpu": f"{cpu}n", "memory": f"{memory}Ki"}})
    return {
        "kind": "PodMetrics",
        "apiVersion": f"{GROUP}/{VERSION}",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "creationTimestamp": now,
            "labels": dict(meta.get("labels") or {}),
        },
        "timestamp": now,
        "window": WINDOW,
        "containers": containers,
    }


def node_metrics(node: Obj, pods: list[Obj], now: str) -> Obj | None:
    """The ``NodeMetrics`` of a Ready node: its own overhead plus its running pods' usage."""
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (node.get("status") or {}).get("conditions") or ()
    )
    if not ready:
        return None
    name = node["metadata"]["name"]
    h = _seed("node", name)
    cpu = (60 + h % 80) * 1_000_000
    memory = (700 + (h >> 16) % 400) * _MIB_KI
    for pod in pods:
        meta = pod["metadata"]
        for container in _running(pod):
            used_cpu, used_memory = container_usage(meta["namespace"], meta["name"], container)
            cpu, memory = cpu + used_cpu, memory + used_memory
    return {
        "kind": "NodeMetrics",
        "apiVersion": f"{GROUP}/{VERSION}",
        "metadata": {
            "name": name,
            "creationTimestamp": now,
            "labels": dict(node["metadata"].get("labels") or {}),
        },
        "timestamp": now,
        "window": WINDOW,
        "usage": {"cpu": f"{cpu}n", "memory": f"{memory}Ki"},
    }


def serve(request: web.Request, target: Target, store: Store, clock: Clock) -> web.Response:
    """``GET`` one or a list of ``NodeMetrics``/``PodMetrics`` (label selector honoured)."""
    if request.method != "GET" or target.subresource is not None:
        raise status.method_not_allowed()
    now = rfc3339(clock.now())
    labels = parse_labels(request.query.get("labelSelector") or None)
    if target.rt is POD_METRICS:
        pods = store.scan(_POD, target.namespace, labels=labels)
        found = [m for pod in pods if (m := pod_metrics(pod, now)) is not None]
        kind = "PodMetrics"
    else:
        by_node: dict[str, list[Obj]] = {}
        for pod in store.scan(_POD):
            by_node.setdefault(str((pod.get("spec") or {}).get("nodeName") or ""), []).append(pod)
        nodes = store.scan(_NODE, labels=labels)
        found = [
            m
            for node in nodes
            if (m := node_metrics(node, by_node.get(node["metadata"]["name"], []), now)) is not None
        ]
        kind = "NodeMetrics"
    if target.name is not None:
        for item in found:
            if item["metadata"]["name"] == target.name:
                return respond(item)
        raise status.not_found(target.rt.plural, GROUP, target.name)
    listing: dict[str, Any] = {
        "kind": f"{kind}List",
        "apiVersion": f"{GROUP}/{VERSION}",
        "metadata": {},
        "items": found,
    }
    return respond(listing)
