"""A small leader-election lock on a ``coordination.k8s.io/v1`` Lease.

The Kubernetes client ships only a ConfigMap lock without request timeouts or a release; this
one writes the Lease fields client-go's ``LeaseLock`` writes (holderIdentity,
leaseDurationSeconds, acquireTime and renewTime as MicroTime, leaseTransitions), every update
conditioned on the resourceVersion last read, every request bounded by the gateway's timeout.
The election's timing (who may take an expired lease, when a leader gives up) is the caller's:
``bot.notifier.leader``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from bot.core import kube
from bot.core.ages import parse_time
from bot.core.kube import Obj
from bot.core.lease import LeaseRecord
from bot.errors import Conflict, NotFound
from bot.gateway.api import Api, resource_path


def micro_time(when: datetime) -> str:
    """RFC 3339 with microseconds, as metav1.MicroTime is serialised."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(lease: Obj) -> LeaseRecord:
    spec = kube.mapping(lease, "spec")
    return LeaseRecord(
        holder=kube.text(spec, "holderIdentity"),
        duration=float(kube.number(spec, "leaseDurationSeconds")),
        acquired=parse_time(kube.text(spec, "acquireTime")),
        renewed=parse_time(kube.text(spec, "renewTime")),
        transitions=kube.number(spec, "leaseTransitions"),
        resource_version=kube.text(lease, "metadata", "resourceVersion"),
    )


class LeaseLock:
    """Read, take, renew and release one Lease; every write is optimistic (resourceVersion)."""

    def __init__(self, api: Api, *, namespace: str, name: str, identity: str) -> None:
        self._api = api
        self._namespace = namespace
        self._name = name
        self.identity = identity
        self._url = resource_path("coordination.k8s.io", "v1", "leases", namespace, name)
        self._collection = resource_path("coordination.k8s.io", "v1", "leases", namespace)

    def read(self) -> LeaseRecord | None:
        """The Lease as it is now, or None when it does not exist."""
        try:
            return _record(self._api.get(self._url))
        except NotFound:
            return None

    def write(
        self, seen: LeaseRecord | None, *, duration: float, now: datetime, hold: bool = True
    ) -> LeaseRecord | None:
        """Hold (or with ``hold=False`` release) the Lease, if it is still as ``seen``.

        Returns the new record, or None when someone else wrote it first (409): re-read.
        """
        taking = seen is None or seen.holder != self.identity
        spec: dict[str, object] = {
            "holderIdentity": self.identity if hold else "",
            "leaseDurationSeconds": max(1, math.ceil(duration)),
            "renewTime": micro_time(now),
            "leaseTransitions": (seen.transitions if seen else 0) + (1 if taking and seen else 0),
        }
        acquired = now if taking or seen is None or seen.acquired is None else seen.acquired
        spec["acquireTime"] = micro_time(acquired)
        body: dict[str, object] = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self._name, "namespace": self._namespace},
            "spec": spec,
        }
        try:
            if seen is None:
                return _record(self._api.json("POST", self._collection, body=body))
            body["metadata"] = {
                "name": self._name,
                "namespace": self._namespace,
                "resourceVersion": seen.resource_version,
            }
            return _record(self._api.json("PUT", self._url, body=body))
        except Conflict:
            return None
