"""The notifier's memory in the cluster: one ConfigMap in the bot's namespace, one key per rollout.

A restarted bot, or the replica that takes the lease over, reads here which message each live
rollout has (channel, ts) and what it last said, so it neither re-posts "started" nor misses the
ending. Every write is conditioned on the ConfigMap's resourceVersion and retried on a conflict,
so two writers never lose each other's keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from bot.core import kube
from bot.core.kube import Obj
from bot.errors import Conflict, NotFound
from bot.gateway.api import Api, resource_path

_ATTEMPTS = 5


class RolloutStore:
    """Per-rollout records (JSON objects) in the ConfigMap ``name`` of ``namespace``."""

    def __init__(self, api: Api, *, namespace: str, name: str) -> None:
        self._api = api
        self._namespace = namespace
        self._name = name
        self._url = resource_path("", "v1", "configmaps", namespace, name)
        self._collection = resource_path("", "v1", "configmaps", namespace)

    def load(self) -> dict[str, dict[str, object]]:
        """Every stored record by rollout key."""
        found = self._read()
        if found is None:
            return {}
        records: dict[str, dict[str, object]] = {}
        for key, value in kube.string_map(found, "data").items():
            try:
                decoded = json.loads(value)
            except ValueError:
                continue
            if isinstance(decoded, dict):
                records[key] = decoded
        return records

    def put(self, key: str, record: Mapping[str, object]) -> None:
        """Store one rollout's record."""
        self.put_many({key: record})

    def put_many(self, records: Mapping[str, Mapping[str, object]]) -> None:
        """Store several rollouts' records in one write."""
        texts = {
            key: json.dumps(dict(record), sort_keys=True, separators=(",", ":"))
            for key, record in records.items()
        }
        self._change(lambda data: {**data, **texts})

    def remove(self, *keys: str) -> None:
        """Forget rollouts (they ended and their Deployment is gone or moved on)."""
        gone = set(keys)
        self._change(lambda data: {k: v for k, v in data.items() if k not in gone})

    def _read(self) -> Obj | None:
        try:
            return self._api.get(self._url)
        except NotFound:
            return None

    def _change(self, edit: Callable[[dict[str, str]], dict[str, str]]) -> None:
        for _ in range(_ATTEMPTS):
            found = self._read()
            data = kube.string_map(found, "data") if found is not None else {}
            new = edit(dict(data))
            if found is not None and new == data:
                return
            metadata: dict[str, object] = {"name": self._name, "namespace": self._namespace}
            body: dict[str, object] = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": metadata,
                "data": new,
            }
            try:
                if found is None:
                    self._api.json("POST", self._collection, body=body)
                else:
                    metadata["resourceVersion"] = kube.text(found, "metadata", "resourceVersion")
                    self._api.json("PUT", self._url, body=body)
            except Conflict:
                continue
            return
        msg = f"configmap {self._namespace}/{self._name} kept changing; gave up writing it"
        raise Conflict(msg, status=409)
