"""Service validation (``ValidateService`` / ``ValidateServiceUpdate``) with upstream wording.

Ports are what users get wrong (missing, out of range, unnamed when there are several, a node
port on a ClusterIP service), and a cluster IP may not change once allocated.
"""

from __future__ import annotations

from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.api.status import Cause

JSON = dict[str, Any]

SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
SESSION_AFFINITIES = ["ClientIP", "None"]
NODE_PORT_RANGE = (30000, 32767)


def _go_service_port(protocol: str, port: Any) -> str:
    return (
        f'core.ServicePort{{Name:"", Protocol:{f.go_quote(protocol)}, '
        f"AppProtocol:(*string)(nil), Port:{port}, "
        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
    )


def _service_port(
    port: JSON, here: str, *, require_name: bool, names: set[str], svc_type: str
) -> list[Cause]:
    causes: list[Cause] = []
    name = port.get("name") or ""
    if require_name and not name:
        causes.append(f.required(f"{here}.name"))
    elif name:
        causes.extend(f.invalid(f"{here}.name", name, m) for m in n.dns1123_label(name))
        if name in names:
            causes.append(f.duplicate(f"{here}.name", name))
        names.add(name)
    causes.extend(
        f.invalid(f"{here}.port", port.get("port"), m) for m in n.port_num(port.get("port"))
    )
    protocol = port.get("protocol")
    if not protocol:
        causes.append(f.required(f"{here}.protocol"))
    elif protocol not in ("SCTP", "TCP", "UDP"):
        causes.append(f.not_supported(f"{here}.protocol", protocol, ["SCTP", "TCP", "UDP"]))
    target = port.get("targetPort")
    if isinstance(target, str):
        causes.extend(f.invalid(f"{here}.targetPort", target, m) for m in n.port_name(target))
    elif target is not None:
        causes.extend(f.invalid(f"{here}.targetPort", target, m) for m in n.port_num(target))
    node_port = port.get("nodePort")
    if node_port:
        if svc_type == "ClusterIP":
            causes.append(
                f.forbidden(f"{here}.nodePort", "may not be used when `type` is 'ClusterIP'")
            )
        elif not NODE_PORT_RANGE[0] <= node_port <= NODE_PORT_RANGE[1]:
            causes.append(
                f.invalid(
                    f"{here}.nodePort",
                    node_port,
                    "provided port is not in the valid range. The range of valid ports is "
                    f"{NODE_PORT_RANGE[0]}-{NODE_PORT_RANGE[1]}",
                )
            )
    return causes


def validate_service(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateService`` / ``ValidateServiceUpdate`` essentials."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    spec = spec or {}
    causes: list[Cause] = []
    svc_type = spec.get("type", "ClusterIP")
    if svc_type not in SERVICE_TYPES:
        causes.append(f.not_supported("spec.type", svc_type, SERVICE_TYPES))
    headless = spec.get("clusterIP") == "None"
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
    if not ports and not headless and svc_type != "ExternalName":
        causes.append(f.required("spec.ports"))
    if headless and svc_type in ("NodePort", "LoadBalancer"):
        causes.append(
            f.invalid(
                "spec.clusterIPs[0]", "None", f"may not be set to 'None' for {svc_type} services"
            )
        )
    names: set[str] = set()
    seen: set[tuple[str, Any]] = set()
    for i, port in enumerate(ports):
        here = f"spec.ports[{i}]"
        causes.extend(
            _service_port(port, here, require_name=len(ports) > 1, names=names, svc_type=svc_type)
        )
        key = (str(port.get("protocol", "")), port.get("port"))
        if key in seen:
            causes.append(f.duplicate_raw(here, _go_service_port(*key)))
        seen.add(key)
    causes.extend(n.labels("spec.selector", spec.get("selector")))
    affinity = spec.get("sessionAffinity")
    if affinity is not None and affinity not in SESSION_AFFINITIES:
        causes.append(f.not_supported("spec.sessionAffinity", affinity, SESSION_AFFINITIES))
    if old is not None:
        old_spec = old.get("spec") or {}
        old_ips = old_spec.get("clusterIPs") or []
        new_ips = spec.get("clusterIPs") or []
        if old_ips and new_ips and old_ips[0] != new_ips[0] and svc_type != "ExternalName":
            causes.append(f.invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
    return causes
