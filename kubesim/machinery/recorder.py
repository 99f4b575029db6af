"""Core v1 Events, written the way client-go's event recorder writes them.

``kubectl describe`` and ``kubectl get events`` read these, so the shape matters: the event is
named ``<object>.<hex nanoseconds>``, lives in the involved object's namespace ("default" for
cluster-scoped objects), and a repeat of the same event bumps ``count`` and ``lastTimestamp``
instead of creating a new object (client-go's EventCorrelator).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.storage.storeport import Obj, StorePort

_log = logging.getLogger(__name__)

_REMEMBERED = 4096
"""How many distinct events we can still aggregate into (client-go keeps an LRU of 4096)."""


class EventType(StrEnum):
    """``Event.type``."""

    NORMAL = "Normal"
    WARNING = "Warning"


@dataclass(frozen=True, slots=True)
class Source:
    """Who reports the event (``source`` and ``reportingComponent``/``reportingInstance``)."""

    component: str
    """deployment-controller, replicaset-controller, kubelet, default-scheduler ..."""
    host: str = ""
    """The node name, for the kubelet."""


DEPLOYMENT_CONTROLLER = Source("deployment-controller")
REPLICASET_CONTROLLER = Source("replicaset-controller")
SCHEDULER = Source("default-scheduler")


def involved_object(obj: Obj, field_path: str | None = None) -> dict[str, Any]:
    """The ObjectReference an Event points at."""
    meta = obj.get("metadata", {})
    ref: dict[str, Any] = {"kind": obj.get("kind", ""), "name": meta.get("name", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    ref["uid"] = meta.get("uid", "")
    ref["apiVersion"] = obj.get("apiVersion", "v1")
    ref["resourceVersion"] = str(meta.get("resourceVersion", ""))
    if field_path:
        ref["fieldPath"] = field_path
    return ref


class EventRecorder:
    """Writes Events into the Store; never raises (a lost event must not fail a sync)."""

    def __init__(self, store: StorePort, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._rt = by_kind("Event")
        self._seen: OrderedDict[tuple[str, ...], tuple[str, str]] = OrderedDict()
        self._last_nanos = 0

    def record(
        self,
        obj: Obj,
        *,
        kind: EventType,
        reason: str,
        message: str,
        source: Source,
        field_path: str | None = None,
    ) -> None:
        """Record (or aggregate into) one event about ``obj``."""
        meta = obj.get("metadata", {})
        key = (
            str(meta.get("uid", "")),
            field_path or "",
            kind,
            reason,
            message,
            source.component,
            source.host,
        )
        now = rfc3339(self._clock.now())
        try:
            known = self._seen.get(key)
            if known is not None and self._bump(known, now):
                self._seen.move_to_end(key)
                return
            self._seen[key] = self._create(
                obj,
                kind=kind,
                reason=reason,
                message=message,
                source=source,
                field_path=field_path,
                now=now,
            )
            if len(self._seen) > _REMEMBERED:
                self._seen.popitem(last=False)
        except ApiError as err:
            _log.debug("event %s on %s dropped: %s", reason, meta.get("name"), err.message)

    def _bump(self, known: tuple[str, str], now: str) -> bool:
        namespace, name = known
        if self._store.find(self._rt, namespace, name) is None:
            return False

        def bump(event: Obj) -> None:
            event["count"] = int(event.get("count") or 1) + 1
            event["lastTimestamp"] = now

        self._store.mutate(self._rt, namespace, name, bump)
        return True

    def _create(
        self,
        obj: Obj,
        *,
        kind: EventType,
        reason: str,
        message: str,
        source: Source,
        field_path: str | None,
        now: str,
    ) -> tuple[str, str]:
        meta = obj.get("metadata", {})
        namespace = meta.get("namespace") or "default"
        nanos = max(time.time_ns(), self._last_nanos + 1)
        self._last_nanos = nanos
        src: dict[str, str] = {"component": source.component}
        if source.host:
            src["host"] = source.host
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{meta.get('name', '')}.{nanos:x}", "namespace": namespace},
            "involvedObject": involved_object(obj, field_path),
            "reason": reason,
            "message": message,
            "source": src,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": str(kind),
            "eventTime": None,
            "reportingComponent": source.component,
            "reportingInstance": source.host,
        }
        created = self._store.create(self._rt, event)
        return namespace, str(created["metadata"]["name"])
