"""The LimitRanger admission plugin, for the ``Container`` limits of a new pod.

Mutation (``defaultContainerResourceRequirements``): each container gets the LimitRange's
``defaultRequest`` and ``default`` for the resources it does not state, and the pod the
``kubernetes.io/limit-ranger`` annotation naming what was set. Validation
(``PodValidateLimitFunc``): every container's request and limit within ``min`` and ``max``,
refused with upstream's sentences (``maximum cpu usage per Container is 2, but limit is 3``).
``Pod`` and ``PersistentVolumeClaim`` limits and ``maxLimitRequestRatio`` are not enforced here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from kubesim.api import quantity, status

Obj = dict[str, Any]

ANNOTATION: Final = "kubernetes.io/limit-ranger"


def _items(ranges: Sequence[Obj]) -> list[Obj]:
    return [
        item
        for lr in ranges
        for item in (lr.get("spec") or {}).get("limits") or ()
        if isinstance(item, dict) and item.get("type") == "Container"
    ]


def _all_containers(pod: Obj) -> list[tuple[str, Obj]]:
    spec = pod.get("spec") or {}
    return [("init container", c) for c in spec.get("initContainers") or ()] + [
        ("container", c) for c in spec.get("containers") or ()
    ]


def default_pod(pod: Obj, ranges: Sequence[Obj]) -> None:
    """Fill in each container's missing requests and limits from the ranges' defaults."""
    items = _items(ranges)
    if not items:
        return
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for item in items:  # later ranges win, as upstream's loop over the namespace's items
        requests.update(item.get("defaultRequest") or {})
        limits.update(item.get("default") or {})
    said: list[str] = []
    for prefix, container in _all_containers(pod):
        resources = container.setdefault("resources", {})
        set_requests = _merge(resources, "requests", requests)
        set_limits = _merge(resources, "limits", limits)
        name = container.get("name", "")
        if set_requests:
            said.append(f"{', '.join(sorted(set_requests))} request for {prefix} {name}")
        if set_limits:
            said.append(f"{', '.join(sorted(set_limits))} limit for {prefix} {name}")
    if said:
        annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(said)


def _merge(resources: Obj, field: str, defaults: dict[str, Any]) -> list[str]:
    have = resources.get(field) or {}
    added = [k for k in defaults if k not in have]
    if added:
        resources[field] = {**have, **{k: defaults[k] for k in added}}
    return added


def check_pod(pod: Obj, ranges: Sequence[Obj]) -> None:
    """403 when a container's request or limit is outside a range's ``min`` or ``max``."""
    errors: list[str] = []
    for item in _items(ranges):
        for _, container in _all_containers(pod):
            resources = container.get("resources") or {}
            request = resources.get("requests") or {}
            limit = resources.get("limits") or {}
            for name, enforced in sorted((item.get("min") or {}).items()):
                errors += _minimum(name, enforced, request, limit)
            for name, enforced in sorted((item.get("max") or {}).items()):
                errors += _maximum(name, enforced, request, limit)
    if errors:
        name = (pod.get("metadata") or {}).get("name", "")
        why = errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"
        raise status.ApiError(
            403,
            "Forbidden",
            f'pods "{name}" is forbidden: {why}',
            details={"name": name, "kind": "pods"},
        )


def _minimum(name: str, enforced: object, request: Obj, limit: Obj) -> list[str]:
    bound = quantity.parse(enforced)
    head = f"minimum {name} usage per Container is {bound}"
    if name not in request:
        return [f"{head}.  No request is specified"]
    if quantity.parse(request[name]).value < bound.value:
        return [f"{head}, but request is {quantity.parse(request[name])}"]
    if name in limit and quantity.parse(limit[name]).value < bound.value:
        return [f"{head}, but limit is {quantity.parse(limit[name])}"]
    return []


def _maximum(name: str, enforced: object, request: Obj, limit: Obj) -> list[str]:
    bound = quantity.parse(enforced)
    head = f"maximum {name} usage per Container is {bound}"
    if name not in limit:
        return [f"{head}.  No limit is specified"]
    if quantity.parse(limit[name]).value > bound.value:
        return [f"{head}, but limit is {quantity.parse(limit[name])}"]
    if name in request and quantity.parse(request[name]).value > bound.value:
        return [f"{head}, but request is {quantity.parse(request[name])}"]
    return []
