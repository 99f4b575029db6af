"""A real Store + Clock + Controllers on a real asyncio loop, for the controller tests.

Tests wait on conditions with deadlines (polling the store), never on fixed sleeps; the clock runs
fast so a kubelet "second" is a few milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kubesim.api.resources import by_kind
from kubesim.controlplane import Controllers
from kubesim.kubelet.images import KubeletRules
from kubesim.machinery.clock import Clock
from kubesim.scenarios import catalog
from kubesim.storage.store import Store

Obj = dict[str, Any]
T = TypeVar("T")

NAMESPACE, NODE, POD = by_kind("Namespace"), by_kind("Node"), by_kind("Pod")
DEPLOYMENT, REPLICASET, EVENT = by_kind("Deployment"), by_kind("ReplicaSet"), by_kind("Event")
SPEED = 100.0


class Cluster:
    """The sandbox control plane under test."""

    def __init__(self, store: Store, clock: Clock, controllers: Controllers) -> None:
        self.store = store
        self.clock = clock
        self.controllers = controllers

    async def until(self, probe: Callable[[], T | None], *, what: str, timeout: float = 10.0) -> T:
        """Poll ``probe`` until it returns something truthy; fail after ``timeout`` real seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = probe()
            if found:
                return found
            if time.monotonic() > deadline:
                msg = f"timed out waiting for {what}"
                raise AssertionError(msg)
            await asyncio.sleep(0.002)

    async def settle(self) -> int:
        """Run the loop until no work is queued; returns the resource version then."""
        queues = self.controllers.queues()
        for _ in range(50):
            await asyncio.sleep(0)
        while any(len(q) for q in queues):
            await asyncio.sleep(0)
        return self.store.resource_version

    def deployment(self, name: str, namespace: str = "default") -> Obj:
        return self.store.get(DEPLOYMENT, namespace, name)

    def replicasets(self, namespace: str = "default") -> list[Obj]:
        return self.store.list(REPLICASET, namespace)

    def pods(self, namespace: str = "default", selector: str | None = None) -> list[Obj]:
        return self.store.list(POD, namespace, label_selector=selector)

    def events(self, namespace: str = "default") -> list[Obj]:
        return self.store.list(EVENT, namespace)

    def messages(self, name: str, namespace: str = "default") -> list[str]:
        return [e["message"] for e in self.events(namespace) if e["involvedObject"]["name"] == name]

    def create(self, rt: Any, obj: Obj) -> Obj:
        return self.store.create(rt, obj)


def deployment_manifest(
    name: str, image: str, replicas: int = 3, *, namespace: str = "default", **spec: Any
) -> Obj:
    """A minimal Deployment (labels app=name, one container called app)."""
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
            **spec,
        },
    }


def condition(obj: Obj, kind: str) -> Obj | None:
    for c in obj.get("status", {}).get("conditions") or ():
        if c.get("type") == kind:
            return dict(c)
    return None


def run(
    body: Callable[[Cluster], Awaitable[None]],
    *,
    speed: float = SPEED,
    rules: KubeletRules | None = None,
    scenario: str = "demo-nodes",
) -> None:
    """Run ``body`` against a fresh cluster (two workers and a tainted control plane)."""

    async def main() -> None:
        clock = Clock(speed=speed)
        store = Store(clock=clock)
        if scenario == "demo-nodes":
            catalog.load(store, "empty")
            store.create(NODE, catalog.node_manifest("sandbox-worker2", 2, clock.now()))
        elif scenario != "none":
            catalog.load(store, scenario)
        controllers = Controllers(store, clock, rules=rules or KubeletRules())
        controllers.start()
        try:
            await body(Cluster(store, clock, controllers))
        finally:
            controllers.stop()

    failures = _Failures()
    logger = logging.getLogger("kubesim")
    logger.addHandler(failures)
    try:
        asyncio.run(main())
    finally:
        logger.removeHandler(failures)
    assert not failures.messages, f"a controller sync failed: {failures.messages}"


class _Failures(logging.Handler):
    """Collects errors the work queues log (a failed sync is retried, so it would go unseen)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
