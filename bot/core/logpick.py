"""Which pod and which container ``kubectl logs`` reads, as kubectl decides it.

``logs deployment/NAME`` reads one pod chosen by podutils' ``ByLogging`` order, and a pod's
container defaults by kubectl's rule (``-c``, then the ``kubectl.kubernetes.io/default-container``
annotation, then the first container with a ``Defaulted container ...`` notice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cmp_to_key
from typing import Final

from bot.core import kube
from bot.core.ages import parse_time
from bot.core.kube import Obj
from bot.errors import UsageError

DEFAULT_CONTAINER: Final = "kubectl.kubernetes.io/default-container"

_PHASE_RANK: Final = {"Running": 0, "Unknown": 1, "Pending": 2}
"""ByLogging's phase order; other phases count as 0 like Go's map lookup of a missing key."""


def _ready_time(pod: Obj) -> datetime | None:
    for cond in kube.items(pod, "status", "conditions"):
        if cond.get("type") == "Ready" and cond.get("status") == "True":
            return parse_time(cond.get("lastTransitionTime"))
    return None


def is_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in kube.items(pod, "status", "conditions")
    )


def _max_restarts(pod: Obj) -> int:
    return max(
        (kube.number(s, "restartCount") for s in kube.items(pod, "status", "containerStatuses")),
        default=0,
    )


def _after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    """podutils' ``afterOrZero``: t1 after t2, where a zero (missing) time counts as latest."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _less(a: Obj, b: Obj) -> bool:
    node_a, node_b = kube.text(a, "spec", "nodeName"), kube.text(b, "spec", "nodeName")
    if node_a != node_b and (not node_a or not node_b):
        return bool(node_a)
    rank_a = _PHASE_RANK.get(kube.text(a, "status", "phase"), 0)
    rank_b = _PHASE_RANK.get(kube.text(b, "status", "phase"), 0)
    if rank_a != rank_b:
        return rank_a < rank_b
    if is_ready(a) != is_ready(b):
        return is_ready(a)
    if is_ready(a) and is_ready(b) and _ready_time(a) != _ready_time(b):
        return _after_or_zero(_ready_time(b), _ready_time(a))
    if _max_restarts(a) != _max_restarts(b):
        return _max_restarts(a) > _max_restarts(b)
    created_a = parse_time(kube.text(a, "metadata", "creationTimestamp"))
    created_b = parse_time(kube.text(b, "metadata", "creationTimestamp"))
    if created_a != created_b:
        return _after_or_zero(created_b, created_a)
    return False


def by_logging(pods: Sequence[Obj]) -> list[Obj]:
    """Pods best-first for reading logs: assigned, Running, ready, ready longest, most
    restarts, oldest (podutils ``ByLogging``)."""

    def compare(a: Obj, b: Obj) -> int:
        if _less(a, b):
            return -1
        return 1 if _less(b, a) else 0

    return sorted(pods, key=cmp_to_key(compare))


def all_container_names(pod: Obj) -> list[str]:
    """Init, regular and ephemeral container names, in kubectl's order."""
    return [
        kube.text(c, "name")
        for field in ("initContainers", "containers", "ephemeralContainers")
        for c in kube.items(pod, "spec", field)
    ]


@dataclass(frozen=True, slots=True)
class ContainerChoice:
    """The container to read and the notice kubectl prints on stderr about it, if any."""

    name: str
    note: str | None = None


def pick_container(pod: Obj, requested: str | None, *, quiet: bool = False) -> ContainerChoice:
    """kubectl's container choice for ``logs`` (``quiet`` for ``-l``, which prints no notice).

    Raises ``UsageError`` when the requested container is not in the pod.
    """
    names = all_container_names(pod)
    pod_name = kube.name_of(pod)
    note: str | None = None
    if not requested:
        wanted = kube.string_map(pod, "metadata", "annotations").get(DEFAULT_CONTAINER, "")
        if wanted and wanted in names:
            return ContainerChoice(wanted)
        if wanted:
            note = f'Default container name "{wanted}" not found in pod {pod_name}'
        containers = kube.items(pod, "spec", "containers")
        if not containers:
            raise UsageError(f"pod {pod_name} has no containers")
        first = kube.text(containers[0], "name")
        if len(names) > 1 and not quiet:
            defaulted = f'Defaulted container "{first}" out of: {", ".join(names)}'
            note = f"{note}\n{defaulted}" if note else defaulted
        return ContainerChoice(first, note)
    if requested not in names:
        raise UsageError(
            f"container {requested} is not valid for pod {pod_name} out of: {', '.join(names)}"
        )
    return ContainerChoice(requested)


def not_started_hint(pod: Obj, container: str) -> str:
    """What to try when the kubelet says the container is waiting to start: ``-p`` when it ran
    before (its previous run's log), else ``describe pod`` (the events say why it waits)."""
    name = kube.name_of(pod)
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for status in kube.items(pod, "status", key):
            if kube.text(status, "name") != container:
                continue
            if kube.number(status, "restartCount") or kube.has(status, "lastState", "terminated"):
                return f"add -p for the log of its previous run (logs {name} -c {container} -p)"
    return f"it has not run yet: describe pod {name} shows why"
