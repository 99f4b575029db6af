"""The ResourceQuota admission plugin: a create over a namespace's quota is refused with 403.

As upstream's ``checkQuotas`` (plugin/pkg/admission/resourcequota/controller.go): for each quota
of the namespace that selects the object, the object's usage of the quota's hard resources is
added to ``status.used``; a pod that leaves a limited compute resource unstated is refused first
(``failed quota: NAME: must specify requests.cpu for: web``), then any resource over its hard
limit (``exceeded quota: NAME, requested: pods=1, used: pods=20, limited: pods=20``, only the
exceeded resources, sorted). An accepted create charges the quotas at once, so that a burst of
creates cannot slip past them before the quota controller recounts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kubesim.admission import resource_usage
from kubesim.api import quantity, status
from kubesim.api.quantity import Quantity
from kubesim.api.resource_type import ResourceType

Obj = dict[str, Any]


def _forbidden(rt: ResourceType, obj: Obj, why: str) -> status.ApiError:
    name = str((obj.get("metadata") or {}).get("name", ""))
    what = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
    return status.ApiError(
        403,
        "Forbidden",
        f'{what} "{name}" is forbidden: {why}',
        details={"name": name, "group": rt.group, "kind": rt.plural},
    )


def _pretty(values: dict[str, Quantity]) -> str:
    return ",".join(f"{k}={values[k]}" for k in sorted(values))


def charge(
    quotas: Sequence[Obj],
    rt: ResourceType,
    obj: Obj,
    *,
    recount: Callable[[Obj], dict[str, str]],
) -> list[tuple[str, dict[str, str]]]:
    """Each quota that counts ``obj``, with its ``status.used`` once ``obj`` is created;
    raises the 403 of the first quota (by name) the object would break.

    ``recount(quota)``: the usage the quota controller would write, for a quota it has not
    counted yet (upstream refuses with "status unknown for quota" until it has; the sandbox's
    controller is as good as instant, so the count is made here instead).
    """
    charged: list[tuple[str, dict[str, str]]] = []
    for quota in sorted(quotas, key=lambda q: str(q["metadata"]["name"])):
        name = str(quota["metadata"]["name"])
        if not resource_usage.selects(quota, rt, obj):
            continue
        spec_hard = (quota.get("spec") or {}).get("hard") or {}
        requested = {
            resource: amount
            for resource in spec_hard
            if (amount := resource_usage.usage(resource, rt, obj)) is not None
        }
        if rt.kind == "Pod" and not resource_usage.terminal(obj):
            missing = resource_usage.missing_compute(obj, spec_hard)
            if missing:
                raise _forbidden(rt, obj, f"failed quota: {name}: must specify {missing}")
        if not requested:
            continue
        quota_status = quota.get("status") or {}
        hard = quota_status.get("hard") or {}
        used = quota_status.get("used") or {}
        if any(r not in hard or r not in used for r in requested):
            hard, used = spec_hard, {**used, **recount(quota)}
        now = {r: quantity.parse(used[r]) for r in requested}
        # Quantity.Add keeps the receiver's format, unless the receiver is zero.
        after = {r: requested[r] if not now[r].value else now[r] + requested[r] for r in requested}
        exceeded = sorted(r for r in requested if after[r].value > quantity.parse(hard[r]).value)
        if exceeded:
            why = (
                f"exceeded quota: {name}, "
                f"requested: {_pretty({r: requested[r] for r in exceeded})}, "
                f"used: {_pretty({r: now[r] for r in exceeded})}, "
                f"limited: {_pretty({r: quantity.parse(hard[r]) for r in exceeded})}"
            )
            raise _forbidden(rt, obj, why)
        charged.append((name, {**used, **{r: str(after[r]) for r in requested}}))
    return charged
