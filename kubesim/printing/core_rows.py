"""Table rows of pods, nodes, events, role bindings and the kinds printed as a name, a count or two
and an age (``printers.go`` v1.32)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubesim.printing.cells import NONE, since, timestamp
from kubesim.printing.pod_status import summarize
from kubesim.printing.rows import JSON, Row, age, meta, simple


def _pod_row(pod: JSON, now: datetime) -> list[Any]:
    summary = summarize(pod)
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips and isinstance(ips[0], dict) else None) or status.get("podIP")
    gates = spec.get("readinessGates") or []
    gates_cell = NONE
    if gates:
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        gates_cell = f"{true}/{len(gates)}"
    return [
        meta(pod).get("name", ""),
        f"{summary.ready}/{summary.total}",
        summary.reason,
        summary.restarts_cell(now),
        age(pod, now),
        ip or NONE,
        spec.get("nodeName") or NONE,
        status.get("nominatedNodeName") or NONE,
        gates_cell,
    ]


def _node_roles(labels: JSON) -> str:
    roles = set()
    for key, value in labels.items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or NONE


def _node_row(obj: JSON, now: datetime) -> list[Any]:
    status = obj.get("status") or {}
    info = status.get("nodeInfo") or {}
    state = "Unknown"
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Ready":
            state = "Ready" if condition.get("status") == "True" else "NotReady"
    if (obj.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    addresses = status.get("addresses") or []

    def address(kind: str) -> str:
        return next((a.get("address", "") for a in addresses if a.get("type") == kind), NONE)

    return [
        meta(obj).get("name", ""),
        state,
        _node_roles(meta(obj).get("labels") or {}),
        age(obj, now),
        info.get("kubeletVersion", ""),
        address("InternalIP"),
        address("ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


_EVENTS_V1_FIELDS = {
    # events.k8s.io/v1 name -> core/v1 name: the apiserver prints both through core's printer.
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "deprecatedSource": "source",
}


def _as_core_event(obj: JSON) -> JSON:
    if "involvedObject" in obj or "regarding" not in obj:
        return obj
    return {_EVENTS_V1_FIELDS.get(k, k): v for k, v in obj.items()}


def _event_row(obj: JSON, now: datetime) -> list[Any]:
    obj = _as_core_event(obj)
    first = since(obj.get("firstTimestamp"), now)
    if timestamp(obj.get("firstTimestamp")) is None:
        first = since(obj.get("eventTime"), now)
    last = since(obj.get("lastTimestamp"), now)
    if timestamp(obj.get("lastTimestamp")) is None:
        last = first
    count = obj.get("count") or 0
    series = obj.get("series")
    if isinstance(series, dict):
        last = since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingController") or ""
    host = source.get("host") or obj.get("reportingInstance") or ""
    return [
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {host}" if host else component,
        str(obj.get("message", "")).strip(),
        first,
        count,
        meta(obj).get("name", ""),
    ]


def _subjects(obj: JSON, kind: str) -> str:
    found = [s for s in obj.get("subjects") or [] if isinstance(s, dict) and s.get("kind") == kind]
    if kind == "ServiceAccount":
        return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" for s in found)
    return ", ".join(str(s.get("name", "")) for s in found)


def _binding_row(obj: JSON, now: datetime) -> list[Any]:
    ref = obj.get("roleRef") or {}
    return [
        meta(obj).get("name", ""),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        age(obj, now),
        _subjects(obj, "User"),
        _subjects(obj, "Group"),
        _subjects(obj, "ServiceAccount"),
    ]


ROWS: dict[str, Row] = {
    "Pod": _pod_row,
    "Node": _node_row,
    "Event": _event_row,
    "Namespace": simple(lambda o: (o.get("status") or {}).get("phase", "")),
    "ConfigMap": simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
    "Secret": simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {})),
    "ServiceAccount": simple(lambda o: len(o.get("secrets") or [])),
    "Lease": simple(lambda o: (o.get("spec") or {}).get("holderIdentity") or ""),
    "RoleBinding": _binding_row,
    "ClusterRoleBinding": _binding_row,
}
