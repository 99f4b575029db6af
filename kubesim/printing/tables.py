"""Server-side printing: ``meta.k8s.io/v1`` Tables as the real apiserver builds them.

``kubectl get`` asks for ``as=Table`` and prints whatever columns the server sends, so the
columns, priorities (``-o wide`` shows priority > 0) and cell values must match
``pkg/printers/internalversion/printers.go`` (v1.32). The server always generates wide cells.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kubesim.printing.cells import (
    NONE,
    container_cells,
    format_labels,
    human_duration,
    selector_string,
    since,
    timestamp,
)
from kubesim.printing.columns import column_definitions
from kubesim.printing.pod_status import pod_status, summarize
from kubesim.printing.storage_rows import ROWS as STORAGE_ROWS

__all__ = ["column_definitions", "pod_status", "to_table"]

JSON = dict[str, Any]
Row = Callable[[JSON, datetime], list[Any]]

# --- rows -----------------------------------------------------------------------------------


def _meta(obj: JSON) -> JSON:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _age(obj: JSON, now: datetime) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


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
        _meta(pod).get("name", ""),
        f"{summary.ready}/{summary.total}",
        summary.reason,
        summary.restarts_cell(now),
        _age(pod, now),
        ip or NONE,
        spec.get("nodeName") or NONE,
        status.get("nominatedNodeName") or NONE,
        gates_cell,
    ]


def _deployment_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        _meta(obj).get("name", ""),
        f"{status.get('readyReplicas') or 0}/{spec.get('replicas') or 0}",
        status.get("updatedReplicas") or 0,
        status.get("availableReplicas") or 0,
        _age(obj, now),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


def _replica_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        _meta(obj).get("name", ""),
        spec.get("replicas") or 0,
        status.get("replicas") or 0,
        status.get("readyReplicas") or 0,
        _age(obj, now),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


def _stateful_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        _meta(obj).get("name", ""),
        f"{status.get('readyReplicas') or 0}/{spec.get('replicas') or 0}",
        _age(obj, now),
        names,
        images,
    ]


def _daemon_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    template_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = container_cells(template_spec)
    return [
        _meta(obj).get("name", ""),
        status.get("desiredNumberScheduled") or 0,
        status.get("currentNumberScheduled") or 0,
        status.get("numberReady") or 0,
        status.get("updatedNumberScheduled") or 0,
        status.get("numberAvailable") or 0,
        format_labels(template_spec.get("nodeSelector")),
        _age(obj, now),
        names,
        images,
        label_selector_string(spec.get("selector")),
    ]


def label_selector_string(selector: Any) -> str:
    """``metav1.FormatLabelSelector``: ``<none>`` for an empty selector."""
    return selector_string(selector) or NONE


def _controller_revision_row(obj: JSON, now: datetime) -> list[Any]:
    owner = next((r for r in _meta(obj).get("ownerReferences") or [] if r.get("controller")), None)
    controller = NONE
    if owner is not None:
        group = str(owner.get("apiVersion", "")).rpartition("/")[0]
        kind = str(owner.get("kind", "")).lower()
        controller = (
            f"{kind}.{group}/{owner.get('name', '')}"
            if group
            else f"{kind}/{owner.get('name', '')}"
        )
    return [_meta(obj).get("name", ""), controller, obj.get("revision") or 0, _age(obj, now)]


def _true_condition(obj: JSON, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def job_status(obj: JSON) -> str:
    """``printJob``'s Status cell."""
    if _true_condition(obj, "Complete"):
        return "Complete"
    if _true_condition(obj, "Failed"):
        return "Failed"
    if _meta(obj).get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _true_condition(obj, kind):
            return kind
    return "Running"


def _job_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    succeeded = status.get("succeeded") or 0
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start = timestamp(status.get("startTime"))
    done = timestamp(status.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration(((done or now) - start).total_seconds())
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        _meta(obj).get("name", ""),
        job_status(obj),
        completions,
        duration,
        _age(obj, now),
        names,
        images,
        label_selector_string(spec.get("selector")),
    ]


def _cron_job_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = container_cells((job_spec.get("template") or {}).get("spec"))
    last = status.get("lastScheduleTime")
    suspend = spec.get("suspend")
    return [
        _meta(obj).get("name", ""),
        spec.get("schedule", ""),
        spec.get("timeZone") or NONE,
        "<unset>" if suspend is None else ("True" if suspend else "False"),
        len(status.get("active") or []),
        since(last, now) if last else NONE,
        _age(obj, now),
        names,
        images,
        label_selector_string(job_spec.get("selector")),
    ]


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
        _meta(obj).get("name", ""),
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else NONE,
        _external_ip(spec, obj.get("status") or {}),
        ",".join(ports) or NONE,
        _age(obj, now),
        format_labels(spec.get("selector")),
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
        _meta(obj).get("name", ""),
        state,
        _node_roles(_meta(obj).get("labels") or {}),
        _age(obj, now),
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
        _meta(obj).get("name", ""),
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


def _simple(*cells: Callable[[JSON], Any]) -> Row:
    def row(obj: JSON, now: datetime) -> list[Any]:
        return [_meta(obj).get("name", ""), *(cell(obj) for cell in cells), _age(obj, now)]

    return row


def _subjects(obj: JSON, kind: str) -> str:
    found = [s for s in obj.get("subjects") or [] if isinstance(s, dict) and s.get("kind") == kind]
    if kind == "ServiceAccount":
        return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" for s in found)
    return ", ".join(str(s.get("name", "")) for s in found)


def _binding_row(obj: JSON, now: datetime) -> list[Any]:
    ref = obj.get("roleRef") or {}
    return [
        _meta(obj).get("name", ""),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        _age(obj, now),
        _subjects(obj, "User"),
        _subjects(obj, "Group"),
        _subjects(obj, "ServiceAccount"),
    ]


_ROWS: dict[str, Row] = {
    "Pod": _pod_row,
    "Deployment": _deployment_row,
    "ReplicaSet": _replica_set_row,
    "StatefulSet": _stateful_set_row,
    "DaemonSet": _daemon_set_row,
    "ControllerRevision": _controller_revision_row,
    "Job": _job_row,
    "CronJob": _cron_job_row,
    "Service": _service_row,
    "Node": _node_row,
    "Event": _event_row,
    "Namespace": _simple(lambda o: (o.get("status") or {}).get("phase", "")),
    "Endpoints": _simple(_endpoints_cell),
    "EndpointSlice": _simple(
        lambda o: o.get("addressType", ""), _slice_ports_cell, _slice_endpoints_cell
    ),
    "ConfigMap": _simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
    "Secret": _simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {})),
    "ServiceAccount": _simple(lambda o: len(o.get("secrets") or [])),
    "Lease": _simple(lambda o: (o.get("spec") or {}).get("holderIdentity") or ""),
    "RoleBinding": _binding_row,
    "ClusterRoleBinding": _binding_row,
    **STORAGE_ROWS,
}


def _default_row(obj: JSON, _now: datetime) -> list[Any]:
    created = timestamp(_meta(obj).get("creationTimestamp"))
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None
    return [_meta(obj).get("name", ""), stamp]


_COMPLETED = {
    "Succeeded": [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ],
    "Failed": [
        {"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}
    ],
}


def to_table(
    kind: str, objects: list[JSON], *, now: datetime, include_object: str = "Metadata"
) -> JSON:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (the caller fills ``metadata``)."""
    row_fn = _ROWS.get(kind, _default_row)
    rows: list[JSON] = []
    for obj in objects:
        row: JSON = {"cells": row_fn(obj, now)}
        if kind == "Pod":
            conditions = _COMPLETED.get((obj.get("status") or {}).get("phase", ""))
            if conditions:
                row["conditions"] = [dict(c) for c in conditions]
        if include_object == "Metadata":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": _meta(obj),
            }
        elif include_object == "Object":
            row["object"] = obj
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": column_definitions(kind),
        "rows": rows,
    }
