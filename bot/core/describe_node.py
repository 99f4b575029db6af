"""``kubectl describe node``: conditions, capacity, the node's pods and their resource totals.

The pods table and "Allocated resources" sum requests and limits the way component-helpers'
``PodRequests``/``PodLimits`` do (containers summed, init containers as a floor, sidecars added),
and print percentages of allocatable truncated to integers as kubectl does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import kube, tabwriter
from bot.core.ages import age, rfc1123z
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.kube import Obj
from bot.core.quantity import ZERO, Quantity, parse, total

_ROLE_PREFIX = "node-role.kubernetes.io/"
_STANDARD = frozenset({"cpu", "memory", "ephemeral-storage", "storage", "pods"})


def roles(node: Obj) -> list[str]:
    """Roles from ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role`` labels."""
    found: set[str] = set()
    for key, value in kube.string_map(node, "metadata", "labels").items():
        if key.startswith(_ROLE_PREFIX) and key[len(_ROLE_PREFIX) :]:
            found.add(key[len(_ROLE_PREFIX) :])
        elif key == "kubernetes.io/role" and value:
            found.add(value)
    return sorted(found)


def _taint(taint: Obj) -> str:
    text = kube.text(taint, "key")
    if kube.text(taint, "value"):
        text += f"={kube.text(taint, 'value')}"
    if kube.text(taint, "effect"):
        text += f":{kube.text(taint, 'effect')}"
    return text


def pod_amounts(pod: Obj, field: str) -> dict[str, Quantity]:
    """A pod's total ``requests`` or ``limits`` per resource (``PodRequests``/``PodLimits``)."""
    sums: dict[str, list[Quantity]] = {}
    for c in kube.items(pod, "spec", "containers"):
        for name, value in kube.string_map(c, "resources", field).items():
            sums.setdefault(name, []).append(parse(value))
    result = {name: total(values) for name, values in sums.items()}
    sidecars: dict[str, Quantity] = {}
    for c in kube.items(pod, "spec", "initContainers"):
        amounts = {n: parse(v) for n, v in kube.string_map(c, "resources", field).items()}
        if kube.text(c, "restartPolicy") == "Always":
            for name, q in amounts.items():
                sidecars[name] = sidecars.get(name, ZERO) + q
                result[name] = result.get(name, ZERO) + q
            continue
        for name, q in amounts.items():
            floor = q + sidecars.get(name, ZERO)
            if floor.value > result.get(name, ZERO).value:
                result[name] = floor
    for name, value in kube.string_map(pod, "spec", "overhead").items():
        result[name] = result.get(name, ZERO) + parse(value)
    return result


def _percent(part: Quantity, whole: Quantity, *, milli: bool) -> int:
    denominator = whole.milli_value() if milli else whole.int_value()
    if denominator == 0:
        return 0
    numerator = part.milli_value() if milli else part.int_value()
    return int(numerator / denominator * 100)


def _node_pods(out: Out, node: Obj, pods: Sequence[Obj], now: datetime) -> None:
    capacity = {k: parse(v) for k, v in kube.string_map(node, "status", "capacity").items()}
    allocatable = {k: parse(v) for k, v in kube.string_map(node, "status", "allocatable").items()}
    alloc = allocatable or capacity
    cpu, mem = alloc.get("cpu", ZERO), alloc.get("memory", ZERO)
    out.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    out.write(
        1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n"
    )
    out.write(
        1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n"
    )
    req_totals: dict[str, list[Quantity]] = {}
    lim_totals: dict[str, list[Quantity]] = {}
    for pod in pods:
        req, lim = pod_amounts(pod, "requests"), pod_amounts(pod, "limits")
        for name, q in req.items():
            req_totals.setdefault(name, []).append(q)
        for name, q in lim.items():
            lim_totals.setdefault(name, []).append(q)
        cells = [
            f"{req.get('cpu', ZERO)} ({_percent(req.get('cpu', ZERO), cpu, milli=True)}%)",
            f"{lim.get('cpu', ZERO)} ({_percent(lim.get('cpu', ZERO), cpu, milli=True)}%)",
            f"{req.get('memory', ZERO)} ({_percent(req.get('memory', ZERO), mem, milli=False)}%)",
            f"{lim.get('memory', ZERO)} ({_percent(lim.get('memory', ZERO), mem, milli=False)}%)",
        ]
        created = age(kube.text(pod, "metadata", "creationTimestamp"), now)
        out.write(
            1,
            f"{kube.text(pod, 'metadata', 'namespace')}\t{kube.name_of(pod)}\t\t"
            + "\t".join(cells)
            + f"\t{created}\n",
        )
    reqs = {name: total(qs) for name, qs in req_totals.items()}
    lims = {name: total(qs) for name, qs in lim_totals.items()}
    out.write(
        0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
    )
    out.write(1, "Resource\tRequests\tLimits\n")
    out.write(1, "--------\t--------\t------\n")
    huge = sorted(n for n in alloc if n.startswith("hugepages-"))
    for name in ("cpu", "memory", "ephemeral-storage", *huge):
        r, li, a = reqs.get(name, ZERO), lims.get(name, ZERO), alloc.get(name, ZERO)
        milli = name == "cpu"
        used, limited = _percent(r, a, milli=milli), _percent(li, a, milli=milli)
        out.write(1, f"{name}\t{r} ({used}%)\t{li} ({limited}%)\n")
    extended = sorted(n for n in alloc if n not in _STANDARD and not n.startswith("hugepages-"))
    for name in extended:
        out.write(1, f"{name}\t{reqs.get(name, ZERO)}\t{lims.get(name, ZERO)}\n")


def describe_node(
    node: Obj,
    *,
    pods: Sequence[Obj] | None,
    lease: Obj | None,
    lease_error: str | None,
    events: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe node``; ``pods`` None means the bot may not list pods."""
    out = Out()
    meta, spec, status = (kube.mapping(node, k) for k in ("metadata", "spec", "status"))
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Roles:\t{','.join(roles(node)) or '<none>'}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"CreationTimestamp:\t{rfc1123z(kube.text(meta, 'creationTimestamp'))}\n")
    taints = sorted(
        kube.items(spec, "taints"), key=lambda t: f"{kube.text(t, 'effect')},{kube.text(t, 'key')}"
    )
    out.write(0, "Taints:\t")
    if not taints:
        out.line("<none>")
    for i, taint in enumerate(taints):
        out.write(0, ("\t" if i else "") + _taint(taint) + "\n")
    out.write(0, f"Unschedulable:\t{'true' if kube.flag(spec, 'unschedulable') else 'false'}\n")
    if lease is not None:
        out.write(0, "Lease:\n")
        out.write(
            1, f"HolderIdentity:\t{kube.text(lease, 'spec', 'holderIdentity') or '<unset>'}\n"
        )
        for title, field in (("AcquireTime", "acquireTime"), ("RenewTime", "renewTime")):
            when = kube.text(lease, "spec", field)
            out.write(1, f"{title}:\t{rfc1123z(when) if when else '<unset>'}\n")
    elif lease_error is not None:
        out.write(0, f"Lease:\tFailed to get lease: {lease_error}\n")
    conditions = kube.items(status, "conditions")
    if conditions:
        out.write(
            0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        )
        out.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            out.write(
                1,
                f"{kube.text(c, 'type')} \t{kube.text(c, 'status')} \t"
                f"{rfc1123z(kube.text(c, 'lastHeartbeatTime'))} \t"
                f"{rfc1123z(kube.text(c, 'lastTransitionTime'))} \t"
                f"{kube.text(c, 'reason')} \t{kube.text(c, 'message')}\n",
            )
    out.write(0, "Addresses:\n")
    for address in kube.items(status, "addresses"):
        out.write(1, f"{kube.text(address, 'type')}:\t{kube.text(address, 'address')}\n")
    for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        amounts = kube.string_map(status, field)
        if amounts:
            out.write(0, f"{title}:\n")
            for name in sorted(amounts):
                out.write(0, f"  {name}:\t{parse(amounts[name])}\n")
    info = kube.mapping(status, "nodeInfo")
    out.write(0, "System Info:\n")
    for title, field in (
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ):
        out.write(0, f"  {title}:\t{kube.text(info, field)}\n")
    if kube.text(spec, "podCIDR"):
        out.write(0, f"PodCIDR:\t{kube.text(spec, 'podCIDR')}\n")
    if kube.strings(spec, "podCIDRs"):
        out.write(0, f"PodCIDRs:\t{','.join(kube.strings(spec, 'podCIDRs'))}\n")
    if kube.text(spec, "providerID"):
        out.write(0, f"ProviderID:\t{kube.text(spec, 'providerID')}\n")
    if pods is None:
        out.write(0, "Pods:\tnot authorized\n")
    else:
        _node_pods(out, node, pods, now)
    events_section(out, events, now)
    return tabwriter.align(out.text())
