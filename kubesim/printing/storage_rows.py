"""Table rows of claims, volumes, storage classes, quotas and Ingresses (``printers.go`` v1.32)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from kubesim.api import quantity
from kubesim.printing.cells import timestamp
from kubesim.printing.rows import JSON, Row, age, meta

_MODES: Final = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)
_CLASS_ANNOTATION: Final = "volume.beta.kubernetes.io/storage-class"
_DEFAULT_CLASS: Final = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def access_modes(modes: object) -> str:
    """``GetAccessModesAsString``: the short forms in a fixed order."""
    held = set(modes) if isinstance(modes, list) else set()
    return ",".join(short for mode, short in _MODES if mode in held)


def storage_class_of(obj: JSON) -> str:
    """``GetPersistentVolume(Claim)Class``: the beta annotation wins over the field."""
    annotations = meta(obj).get("annotations") or {}
    if _CLASS_ANNOTATION in annotations:
        return str(annotations[_CLASS_ANNOTATION])
    return str((obj.get("spec") or {}).get("storageClassName") or "")


def _storage(resources: object) -> str:
    value = resources.get("storage") if isinstance(resources, dict) else None
    return str(quantity.parse(value)) if value is not None else "0"


def _phase(obj: JSON) -> str:
    if meta(obj).get("deletionTimestamp"):
        return "Terminating"
    return str((obj.get("status") or {}).get("phase") or "")


def _volume_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if isinstance(ref, dict) else ""
    return [
        meta(obj).get("name", ""),
        _storage(spec.get("capacity")),
        access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        _phase(obj),
        claim,
        storage_class_of(obj),
        spec.get("volumeAttributesClassName") or "<unset>",
        (obj.get("status") or {}).get("reason", ""),
        age(obj, now),
        spec.get("volumeMode") or "<unset>",
    ]


def _claim_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = _storage(status.get("capacity"))
    return [
        meta(obj).get("name", ""),
        _phase(obj),
        spec.get("volumeName", ""),
        capacity,
        modes,
        storage_class_of(obj),
        spec.get("volumeAttributesClassName") or "<unset>",
        age(obj, now),
        spec.get("volumeMode") or "<unset>",
    ]


def _quota_row(obj: JSON, now: datetime) -> list[Any]:
    hard = (obj.get("spec") or {}).get("hard") or {}
    status = obj.get("status") or {}
    requests: list[str] = []
    limits: list[str] = []
    for name in sorted(hard):
        used = quantity.parse((status.get("used") or {}).get(name))
        limit = quantity.parse((status.get("hard") or {}).get(name))
        column = limits if name.split(".")[0] == "limits" and "." in name else requests
        column.append(f"{name}: {used}/{limit}")
    return [meta(obj).get("name", ""), age(obj, now), ", ".join(requests), ", ".join(limits)]


def _hosts(rules: list[JSON]) -> str:
    """``formatHosts``: three hosts, then ``+ N more...``; ``*`` when no rule names one."""
    shown = [str(r["host"]) for r in rules[:3] if r.get("host")]
    if not shown:
        return "*"
    text = ",".join(shown)
    return f"{text} + {len(rules) - 3} more..." if len(rules) > 3 else text


def load_balancer(status: object) -> str:
    """``ingressLoadBalancerStatusStringer`` (wide): every IP or hostname, comma-joined."""
    ingress = (
        (status or {}).get("loadBalancer", {}).get("ingress") if isinstance(status, dict) else None
    )
    found = [
        str(i.get("ip") or i.get("hostname") or "") for i in ingress or [] if isinstance(i, dict)
    ]
    return ",".join(x for x in found if x)


def _ingress_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    return [
        meta(obj).get("name", ""),
        spec.get("ingressClassName") or "<none>",
        _hosts([r for r in spec.get("rules") or [] if isinstance(r, dict)]),
        load_balancer(obj.get("status")),
        "80, 443" if spec.get("tls") else "80",
        age(obj, now),
    ]


def _storage_class_row(obj: JSON, now: datetime) -> list[Any]:
    annotations = meta(obj).get("annotations") or {}
    name = str(meta(obj).get("name", ""))
    if any(annotations.get(key) == "true" for key in _DEFAULT_CLASS):
        name += " (default)"
    return [
        name,
        obj.get("provisioner", ""),
        obj.get("reclaimPolicy") or "Delete",
        obj.get("volumeBindingMode") or "Immediate",
        bool(obj.get("allowVolumeExpansion")),
        age(obj, now),
    ]


def _created_row(obj: JSON, _now: datetime) -> list[Any]:
    created = timestamp(meta(obj).get("creationTimestamp"))
    return [meta(obj).get("name", ""), created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None]


ROWS: Final[dict[str, Row]] = {
    "PersistentVolume": _volume_row,
    "PersistentVolumeClaim": _claim_row,
    "ResourceQuota": _quota_row,
    "Ingress": _ingress_row,
    "StorageClass": _storage_class_row,
    "LimitRange": _created_row,
}
