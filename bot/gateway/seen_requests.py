"""Signed Slack requests already taken by a replica, kept in the cluster for Slack's five minutes.

A signed request stays valid for five minutes, so a captured ``rollout restart`` could be sent to
each replica of an HTTP-mode bot (or replayed at one after a restart), and each would run it. The
first replica to take a signature creates a ConfigMap named from the signature's hash in the
bot's own namespace: the API server lets one create win, and every other replica gets 409
AlreadyExists, which means "seen". Each object says when it expires; a replica sweeps expired
ones at most once a minute, on a thread of its own: the sweep lists every record and deletes
the expired ones one by one, which the command that happened to be due must not wait for. No
data is stored: the name is the record.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from bot.core import kube
from bot.core.ages import parse_time
from bot.errors import ClusterError, Conflict, NotFound
from bot.gateway.api import Api, resource_path

logger = logging.getLogger(__name__)

PREFIX: Final = "k8s-chatops-seen-"
LABEL: Final = "k8s-chatops.io/seen-request"
"""Marks the records (the sweep lists by it)."""
EXPIRES: Final = "k8s-chatops.io/expires-at"
"""When a record may go: Slack refuses the signature by then (RFC 3339, UTC)."""


def record_name(signature: str) -> str:
    """The record's name: a DNS-1123 name from the signature's SHA-256."""
    return PREFIX + hashlib.sha256(signature.encode()).hexdigest()[:40]


class SeenRequests:
    """``first_time(signature)`` across every replica that shares ``namespace``."""

    def __init__(
        self,
        api: Api,
        *,
        namespace: str,
        window: float = 300.0,
        sweep_every: float = 60.0,
        clock: Callable[[], float] = time.time,
        run_apart: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """``run_apart``: runs a due sweep off the caller's thread (default: a daemon thread)."""
        self._api = api
        self._namespace = namespace
        self._window = window
        self._sweep_every = sweep_every
        self._clock = clock
        self._collection = resource_path("", "v1", "configmaps", namespace)
        self._run_apart = run_apart or _on_a_thread
        self._sweeping = threading.Lock()
        self._swept = clock()

    def first_time(self, signature: str) -> bool:
        """Record ``signature``; False when a replica took it already (within the window).

        When the cluster cannot say (down, or the bot may not create ConfigMaps there), the
        request is taken: the replica's own memory still refuses its replays.
        """
        expires = datetime.fromtimestamp(self._clock() + self._window, UTC)
        body = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": record_name(signature),
                "namespace": self._namespace,
                "labels": {LABEL: "true"},
                "annotations": {EXPIRES: expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
            },
        }
        try:
            self._api.json("POST", self._collection, body=body)
        except Conflict:
            return False
        except ClusterError as e:
            logger.warning("could not record a Slack request in the cluster: %s", e)
            return True
        finally:
            self._maybe_sweep()
        return True

    def sweep(self) -> int:
        """Delete the expired records; how many went."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        page, _ = self._api.list(self._collection, query=[("labelSelector", LABEL)])
        gone = 0
        for item in page.items:
            name = kube.name_of(item)
            expires = parse_time(kube.text(item, "metadata", "annotations", EXPIRES))
            if not name.startswith(PREFIX) or (expires is not None and expires > now):
                continue
            try:
                self._api.json(
                    "DELETE", resource_path("", "v1", "configmaps", self._namespace, name)
                )
            except NotFound:
                continue
            gone += 1
        return gone

    def _maybe_sweep(self) -> None:
        """Start a sweep when a minute has passed, one at a time (none while one runs)."""
        if self._clock() - self._swept < self._sweep_every or not self._sweeping.acquire(
            blocking=False
        ):
            return
        self._swept = self._clock()
        try:
            self._run_apart(self._sweep_once)
        except BaseException:
            self._sweeping.release()
            raise

    def _sweep_once(self) -> None:
        try:
            self.sweep()
        except ClusterError as e:
            logger.warning("could not sweep the expired Slack request records: %s", e)
        finally:
            self._sweeping.release()


def _on_a_thread(job: Callable[[], None]) -> None:
    threading.Thread(target=job, name="seen-requests-sweep", daemon=True).start()
