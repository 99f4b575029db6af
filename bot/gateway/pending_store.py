"""Pending requests in the cluster: one ConfigMap per request in the bot's own namespace.

A request waiting for its Confirm or Approve click must outlive the process that showed the
preview (a restart, or a click Slack hands to another replica), and must run once however many
clicks, retries and replicas race for it. So it is a ConfigMap named after the request's id,
and every change of its state is a PUT conditioned on the resourceVersion read: of two writers
one gets 409 and learns it lost. The record itself is the service's JSON; the store only adds
the expiry, so that it can collect what expired without reading records it does not know.
``follow`` lists and watches them, so that every replica knows when the next one expires.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Final

from bot.core import kube
from bot.core.ages import parse_time, rfc3339
from bot.core.pending import StoredChange, StoredRequest
from bot.core.watch_events import EventType
from bot.errors import Conflict, NotFound
from bot.gateway.api import Api, resource_path
from bot.gateway.watch import Watch

LABEL: Final = "k8s-chatops.io/pending-request"
"""Label of every pending-request ConfigMap; its value is the store's prefix."""
_RECORD: Final = "request"
_EXPIRES: Final = "expires"


class PendingStore:
    """The service's ``PendingRequests`` port over ConfigMaps ``PREFIX-ID`` in ``namespace``."""

    def __init__(self, api: Api, *, namespace: str, prefix: str) -> None:
        self._api = api
        self._namespace = namespace
        self._prefix = prefix
        self._collection = resource_path("", "v1", "configmaps", namespace)

    def _url(self, key: str) -> str:
        return resource_path("", "v1", "configmaps", self._namespace, f"{self._prefix}-{key}")

    def _body(self, key: str, record: str, expires: str, version: str = "") -> dict[str, object]:
        metadata: dict[str, object] = {
            "name": f"{self._prefix}-{key}",
            "namespace": self._namespace,
            "labels": {LABEL: self._prefix, "app.kubernetes.io/managed-by": "k8s-chatops"},
        }
        if version:
            metadata["resourceVersion"] = version
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": metadata,
            "data": {_RECORD: record, _EXPIRES: expires},
        }

    def create(self, key: str, record: str, *, expires: datetime) -> None:
        """Store a new request (its id is fresh: a clash is a ``Conflict``)."""
        self._api.json("POST", self._collection, body=self._body(key, record, rfc3339(expires)))

    def read(self, key: str) -> StoredRequest | None:
        """The request and the version to condition a change on; None when there is none."""
        try:
            found = self._api.get(self._url(key))
        except NotFound:
            return None
        data = kube.string_map(found, "data")
        if _RECORD not in data:
            return None
        return StoredRequest(data[_RECORD], kube.text(found, "metadata", "resourceVersion"))

    def replace(self, key: str, record: str, *, version: str, expires: datetime) -> str | None:
        """Write the request's new state if it is still at ``version`` and return the new
        version; None when another writer (a double click, another replica) was first."""
        body = self._body(key, record, rfc3339(expires), version)
        try:
            written = self._api.json("PUT", self._url(key), body=body)
        except (Conflict, NotFound):
            return None
        return kube.text(written, "metadata", "resourceVersion")

    def follow(self, stop: threading.Event) -> Iterator[StoredChange]:
        """Every request stored now, then each write and deletion, until ``stop`` is set
        (list+watch of the labelled ConfigMaps: reconnects, and re-lists after 410 Gone).
        Raises ``ClusterError`` for what retrying cannot fix (a 403)."""
        watch = Watch(self._api, self._collection, labels=f"{LABEL}={self._prefix}", stop=stop)

        def stopper_run() -> None:
            stop.wait()
            watch.stop()

        threading.Thread(target=stopper_run, name="pending-watch-stop", daemon=True).start()
        start = f"{self._prefix}-"
        for event in watch:
            name = kube.name_of(event.object)
            if not name.startswith(start):
                continue
            key = name[len(start) :]
            record = kube.string_map(event.object, "data").get(_RECORD)
            if event.type is EventType.DELETED or record is None:
                yield StoredChange(key, None)
            else:
                yield StoredChange(key, StoredRequest(record, event.resource_version))

    def collect(self, before: datetime) -> int:
        """Delete the requests that expired before ``before``; returns how many went."""
        query = [("labelSelector", f"{LABEL}={self._prefix}")]
        page, _ = self._api.list(self._collection, query=query)
        gone = 0
        for item in page.items:
            expires = parse_time(kube.string_map(item, "data").get(_EXPIRES, ""))
            if expires is None or expires >= before:
                continue
            url = resource_path("", "v1", "configmaps", self._namespace, kube.name_of(item))
            precondition = {"resourceVersion": kube.text(item, "metadata", "resourceVersion")}
            try:
                self._api.json(
                    "DELETE",
                    url,
                    body={"preconditions": precondition},
                    content_type="application/json",
                )
            except (Conflict, NotFound):
                continue
            gone += 1
        return gone
