"""Table rows of Services, Endpoints and EndpointSlices (``printers.go`` v1.32)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubesim.printing.cells import NONE, format_labels
from kubesim.printing.rows import JSON, Row, age, meta, simple


def _external_ip(spec: JSON, status: JSON) -> str:
    """``getServiceExternalIP`` (wide)."""
    svc_type = spec.get("type", "ClusterIP")
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else NONE
    if svc_type == "LoadBalancer":
        ingress = ((status.get("loadBalancer") or {}).get("ingress")) or []
        lb = [str(i.get("ip") or i.get("hostname") or "") for i in ingress if isinstance(i, dict)]
        lb = [x for x in lb if x]
        if lb or external:
            return ",".join(lb + external)
        return "<pending>"
    if svc_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def _service_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or []
    ports = []
    for port in spec.get("ports") or []:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            ports.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            ports.append(f"{port.get('port')}/{protocol}")
    return [
        meta(obj).get("name", ""),
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else NONE,
        _external_ip(spec, obj.get("status") or {}),
        ",".join(ports) or NONE,
        age(obj, now),
        format_labels(spec.get("selector")),
    ]


def _endpoints_cell(obj: JSON) -> str:
    """``formatEndpoints``: up to three ``ip:port`` then ``+ N more...``."""
    subsets = obj.get("subsets") or []
    if not subsets:
        return NONE
    shown: list[str] = []
    count = 0
    more = False
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        targets = (
            [(ip, None) for ip in addresses]
            if not ports
            else [(ip, p.get("port")) for p in ports for ip in addresses]
        )
        count += len(targets)
        for ip, port in targets:
            if len(shown) == 3:
                more = True
                break
            host = f"[{ip}]" if ":" in ip and port is not None else ip
            shown.append(host if port is None else f"{host}:{port}")
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


def _more(shown: list[str], count: int) -> str:
    """``listWithMoreString``: three entries, then ``+ N more...``; ``<unset>`` when empty."""
    text = ",".join(shown[:3])
    if count > 3:
        return f"{text} + {count - 3} more..."
    return text or "<unset>"


def _slice_ports_cell(obj: JSON) -> str:
    """``formatDiscoveryPorts``: the number, else the name, else ``*``."""
    ports = obj.get("ports") or []
    shown = [str(p["port"]) if p.get("port") is not None else p.get("name") or "*" for p in ports]
    return _more(shown, len(shown))


def _slice_endpoints_cell(obj: JSON) -> str:
    """``formatDiscoveryEndpoints``: every endpoint's addresses."""
    addresses = [a for e in obj.get("endpoints") or [] for a in e.get("addresses") or []]
    return _more(addresses, len(addresses))


ROWS: dict[str, Row] = {
    "Service": _service_row,
    "Endpoints": simple(_endpoints_cell),
    "EndpointSlice": simple(
        lambda o: o.get("addressType", ""), _slice_ports_cell, _slice_endpoints_cell
    ),
}
