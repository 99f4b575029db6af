"""The side reads of kubectl's StatefulSet, DaemonSet, Job and CronJob describers.

StatefulSets and DaemonSets count the pods their selector matches whose controller reference
is the object (``getPodStatusForController``); all four show the events about the object. The
text itself is ``bot.core.describe_workloads``'. Each describer takes the object and a
``WorkloadReads`` (what the describe handler can read), so that registering one is one line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final, Protocol

from bot.core import kube
from bot.core.describe_workloads import (
    describe_cronjob,
    describe_daemonset,
    describe_job,
    describe_statefulset,
)
from bot.core.kube import Obj
from bot.errors import BotError
from bot.gateway.discovery import PODS, ResourceInfo


class WorkloadReads(Protocol):
    """What these describers read besides the object."""

    @property
    def now(self) -> datetime:
        """The clock ages are printed against."""
        ...

    def items(self, info: ResourceInfo, query: list[tuple[str, str]]) -> list[Obj]:
        """Every item of a type in the object's namespace."""
        ...

    def events(self, obj: Obj, *, kind: str | None) -> list[Obj] | None:
        """The events about ``obj`` (None when they cannot be searched)."""
        ...


def controlled_pods(owner: Obj, reads: WorkloadReads) -> list[Obj] | None:
    """The pods the owner's selector matches and its uid controls; None if they cannot be read."""
    selector = kube.selector_string(kube.mapping(owner, "spec", "selector"))
    try:
        listed = reads.items(PODS, [("labelSelector", selector)])
    except BotError:
        return None
    uid = kube.text(owner, "metadata", "uid")
    return [p for p in listed if kube.controller_uid(p) == uid]


def _statefulset(sts: Obj, reads: WorkloadReads) -> str:
    return describe_statefulset(
        sts, controlled_pods(sts, reads), reads.events(sts, kind="StatefulSet"), reads.now
    )


def _daemonset(ds: Obj, reads: WorkloadReads) -> str:
    return describe_daemonset(
        ds, controlled_pods(ds, reads), reads.events(ds, kind="DaemonSet"), reads.now
    )


def _job(job: Obj, reads: WorkloadReads) -> str:
    return describe_job(job, reads.events(job, kind="Job"), reads.now)


def _cronjob(cronjob: Obj, reads: WorkloadReads) -> str:
    return describe_cronjob(cronjob, reads.events(cronjob, kind="CronJob"), reads.now)


WORKLOAD_DESCRIBERS: Final[dict[tuple[str, str], Callable[[Obj, WorkloadReads], str]]] = {
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cronjob,
}
"""(API group, kind) -> describer, to be merged into the describe handler's table."""
