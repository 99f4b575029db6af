"""Service defaults and the allocations the service REST storage makes.

Cluster IPs come from the store's allocator; node ports are derived from the service and port so
they stay stable without shared state, and an update keeps whatever was allocated before
(``patchAllocatedValues`` in ``pkg/registry/core/service/storage``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]

NODE_PORT_MIN = 30000
NODE_PORT_MAX = 32767


def sub_object(obj: JSON, key: str) -> JSON:
    """``obj[key]``, made an empty object first when missing or not an object."""
    value = obj.get(key)
    if not isinstance(value, dict):
        value = {}
        obj[key] = value
    return value


def node_port_for(namespace: str, name: str, port: Any, taken: set[int] | None = None) -> int:
    """A stable node port for (service, port), probing past ``taken`` ports."""
    seed = int.from_bytes(hashlib.sha256(f"{namespace}/{name}/{port}".encode()).digest()[:4])
    span = NODE_PORT_MAX - NODE_PORT_MIN + 1
    candidate = NODE_PORT_MIN + seed % span
    taken = taken or set()
    while candidate in taken:
        candidate = NODE_PORT_MIN + (candidate - NODE_PORT_MIN + 1) % span
    return candidate


def default_service(obj: JSON, allocate_cluster_ip: Callable[[], str]) -> None:
    """Service defaults: type, session affinity, ports, cluster IP and node ports."""
    meta = obj.get("metadata") or {}
    spec = sub_object(obj, "spec")
    svc_type = spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
    for port in ports:
        port.setdefault("protocol", "TCP")
        if "targetPort" not in port and "port" in port:
            port["targetPort"] = port["port"]
    if svc_type != "ExternalName":
        cluster_ip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        if not cluster_ip:
            cluster_ip = allocate_cluster_ip()
        spec["clusterIP"] = cluster_ip
        spec.setdefault("clusterIPs", [cluster_ip])
        spec.setdefault("ipFamilies", ["IPv4"])
        headless_with_selector = cluster_ip == "None" and bool(spec.get("selector"))
        # Headless services with a selector default to RequireDualStack (service REST storage).
        spec.setdefault(
            "ipFamilyPolicy", "RequireDualStack" if headless_with_selector else "SingleStack"
        )
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if svc_type in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
        if svc_type == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
        if svc_type == "NodePort" or spec.get("allocateLoadBalancerNodePorts", True):
            taken = {p["nodePort"] for p in ports if isinstance(p.get("nodePort"), int)}
            for port in ports:
                if not port.get("nodePort"):
                    port["nodePort"] = node_port_for(
                        str(meta.get("namespace", "")),
                        str(meta.get("name", "")),
                        port.get("port"),
                        taken,
                    )
                    taken.add(port["nodePort"])
    status = sub_object(obj, "status")
    status.setdefault("loadBalancer", {})


def preserve_allocations(kind: str, obj: JSON, old: JSON) -> None:
    """On update, keep what the server allocated when the new body leaves it out.

    A PUT of a Service without ``clusterIP``/``nodePort`` keeps the old values (service REST
    storage ``patchAllocatedValues``); call this before :func:`apply_defaults` on update.
    """
    if kind != "Service":
        return
    spec, old_spec = obj.get("spec"), old.get("spec")
    if not isinstance(spec, dict) or not isinstance(old_spec, dict):
        return
    if spec.get("type", "ClusterIP") != "ExternalName" and old_spec.get("clusterIP"):
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIPs") and old_spec.get("clusterIPs"):
            spec["clusterIPs"] = list(old_spec["clusterIPs"])
    old_ports = {
        (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
        for p in old_spec.get("ports") or []
        if isinstance(p, dict)
    }
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        for port in spec.get("ports") or []:
            if not isinstance(port, dict) or port.get("nodePort"):
                continue
            key = (port.get("port"), port.get("protocol", "TCP"))
            if old_ports.get(key):
                port["nodePort"] = old_ports[key]
