"""What one object counts against a ResourceQuota: the quota evaluators' ``Usage``.

Shared by the ResourceQuota admission plugin (which charges a new object before it is stored) and
the quota controller (which recomputes ``status.used`` from the namespace's objects), as upstream's
evaluators in ``pkg/quota/v1/evaluator/core`` serve both. Pods count while not terminal, with their
containers' requests and limits (``requests.cpu`` or ``cpu``, ``limits.memory`` …); every namespaced
object counts as ``count/<resource>[.<group>]``; claims also as ``requests.storage``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from kubesim.api import quantity
from kubesim.api.quantity import Quantity
from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import REGISTRY, by_kind

Obj = dict[str, Any]

COUNTED: Final = {
    "services": "Service",
    "configmaps": "ConfigMap",
    "secrets": "Secret",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "pods": "Pod",
    "resourcequotas": "ResourceQuota",
}
"""The legacy object-count names and the kind each counts."""
BY_COUNT_NAME: Final = {f"count/{rt.key}": rt for rt in REGISTRY if rt.namespaced}
COMPUTE: Final = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
"""The pod resources a container must state when a quota limits them (``Constraints``)."""


def terminal(pod: Obj) -> bool:
    """A Succeeded or Failed pod no longer counts."""
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _resources(container: Obj, field: str) -> Mapping[str, Any]:
    found = (container.get("resources") or {}).get(field)
    return found if isinstance(found, dict) else {}


def containers(pod: Obj) -> Iterable[Obj]:
    """The pod's app containers."""
    return (pod.get("spec") or {}).get("containers") or ()


def _pod_amount(pod: Obj, field: str, name: str) -> Quantity | None:
    """The sum over app containers, raised to the largest init container's (``PodRequests``);
    None when no container states it."""
    terms = [
        quantity.parse(_resources(c, field)[name])
        for c in containers(pod)
        if name in _resources(c, field)
    ]
    inits = [
        quantity.parse(_resources(c, field)[name])
        for c in (pod.get("spec") or {}).get("initContainers") or ()
        if name in _resources(c, field)
    ]
    if not terms and not inits:
        return None
    amount = quantity.total(terms, like=inits[0] if inits else quantity.ZERO)
    for init in inits:
        if init.value > amount.value:
            amount = init
    return amount


def _matches_scopes(quota: Obj, pod: Obj) -> bool:
    """The pod scopes a quota may select (BestEffort, NotBestEffort, Terminating, NotTerminating);
    other scopes are not selected by any pod here."""
    scopes = list((quota.get("spec") or {}).get("scopes") or ())
    best_effort = all(
        not _resources(c, "requests") and not _resources(c, "limits") for c in containers(pod)
    )
    terminating = (pod.get("spec") or {}).get("activeDeadlineSeconds") is not None
    answers = {
        "BestEffort": best_effort,
        "NotBestEffort": not best_effort,
        "Terminating": terminating,
        "NotTerminating": not terminating,
    }
    return all(answers.get(str(scope), False) for scope in scopes)


def selects(quota: Obj, rt: ResourceType, obj: Obj) -> bool:
    """Whether ``quota`` counts ``obj`` at all (scoped quotas count only matching pods)."""
    if not (quota.get("spec") or {}).get("scopes"):
        return True
    return rt.kind == "Pod" and _matches_scopes(quota, obj)


def usage(resource: str, rt: ResourceType, obj: Obj) -> Quantity | None:
    """What ``obj`` (of type ``rt``) adds to the quota resource ``resource``; None for nothing."""
    if rt.kind == "Pod" and terminal(obj):
        return None
    if resource in COUNTED or resource in BY_COUNT_NAME:
        counted = BY_COUNT_NAME.get(resource)
        counts = COUNTED.get(resource) == rt.kind or (counted is not None and counted.key == rt.key)
        return quantity.parse(1) if counts else None
    if rt.kind == "Pod" and resource in COMPUTE:
        field, _, name = resource.rpartition(".")
        return _pod_amount(obj, field or "requests", name)
    if rt.kind == "PersistentVolumeClaim" and resource == "requests.storage":
        requests = ((obj.get("spec") or {}).get("resources") or {}).get("requests") or {}
        return quantity.parse(requests.get("storage")) if "storage" in requests else None
    if rt.kind == "Service":
        return _service_usage(resource, obj)
    return None


def _service_usage(resource: str, service: Obj) -> Quantity | None:
    """``services.loadbalancers`` (one per LoadBalancer) and ``services.nodeports`` (a port
    each, of NodePort and LoadBalancer Services)."""
    kind = (service.get("spec") or {}).get("type")
    if resource == "services.loadbalancers":
        return quantity.parse(1) if kind == "LoadBalancer" else None
    if resource == "services.nodeports" and kind in ("NodePort", "LoadBalancer"):
        return quantity.parse(len((service.get("spec") or {}).get("ports") or ()))
    return None


def missing_compute(pod: Obj, hard: Iterable[str]) -> str:
    """``Constraints``: the compute resources a quota limits that containers leave unstated,
    as ``limits.cpu for: web; requests.cpu for: web,sidecar``; empty when none is missing."""
    required = COMPUTE.intersection(hard)
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for container in [*(spec.get("containers") or ()), *(spec.get("initContainers") or ())]:
        stated = set()
        for name in _resources(container, "requests"):
            stated.update({name, f"requests.{name}"})
        for name in _resources(container, "limits"):
            stated.add(f"limits.{name}")
        for resource in required - stated:
            missing.setdefault(resource, set()).add(str(container.get("name", "")))
    return "; ".join(f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))


def kinds_of(resource: str) -> list[ResourceType]:
    """The types whose objects can count towards ``resource``."""
    if resource in COUNTED:
        return [by_kind(COUNTED[resource])]
    if resource in BY_COUNT_NAME:
        return [BY_COUNT_NAME[resource]]
    if resource in COMPUTE:
        return [by_kind("Pod")]
    if resource == "requests.storage":
        return [by_kind("PersistentVolumeClaim")]
    if resource.startswith("services."):
        return [by_kind("Service")]
    return []


def namespace_usage(quota: Obj, objects: Callable[[ResourceType], Iterable[Obj]]) -> dict[str, str]:
    """``status.used`` for the resources ``quota`` limits, from ``objects(type)``: the
    namespace's objects of that type (the quota controller's recount)."""
    hard = {str(k): str(v) for k, v in ((quota.get("spec") or {}).get("hard") or {}).items()}
    selected: dict[str, list[Obj]] = {}

    def of(rt: ResourceType) -> list[Obj]:
        if rt.key not in selected:
            selected[rt.key] = [o for o in objects(rt) if selects(quota, rt, o)]
        return selected[rt.key]

    used: dict[str, str] = {}
    for name, limit in hard.items():
        terms = [
            amount
            for rt in kinds_of(name)
            for obj in of(rt)
            if (amount := usage(name, rt, obj)) is not None
        ]
        used[name] = str(quantity.total(terms, like=quantity.parse(limit)))
    return used
