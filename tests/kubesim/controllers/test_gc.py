"""The garbage collector: owners gone, dependents follow (Background propagation)."""

from __future__ import annotations

from typing import Any

from kubesim.api.resources import by_kind
from tests.kubesim.controller_kit import DEPLOYMENT, POD, Cluster, Obj, deployment_manifest, run

CONFIGMAP = by_kind("ConfigMap")


def test_deleting_a_deployment_collects_replicasets_and_pods() -> None:
    terminating: set[str] = set()

    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.27", 3))
        await c.until(
            lambda: len([p for p in c.pods() if p["status"]["phase"] == "Running"]) == 3,
            what="3 running pods",
        )

        def observe(_type: str, rt: Any, obj: Obj) -> None:
            if rt.kind == "Pod" and obj["metadata"].get("deletionTimestamp"):
                terminating.add(obj["metadata"]["name"])

        stop = c.store.subscribe(observe)
        c.store.delete(DEPLOYMENT, "default", "web")
        await c.until(lambda: not c.replicasets() and not c.pods(), what="everything collected")
        stop()

    run(body)
    assert len(terminating) == 3  # every pod went through Terminating


def test_a_dependent_with_another_owner_only_loses_the_dangling_reference() -> None:
    async def body(c: Cluster) -> None:
        a = c.create(CONFIGMAP, {"metadata": {"name": "a", "namespace": "default"}})
        b = c.create(CONFIGMAP, {"metadata": {"name": "b", "namespace": "default"}})

        def ref(owner: Obj) -> Obj:
            meta = owner["metadata"]
            return {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": meta["name"],
                "uid": meta["uid"],
            }

        c.create(
            POD,
            {
                "metadata": {
                    "name": "shared",
                    "namespace": "default",
                    "ownerReferences": [ref(a), ref(b)],
                },
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        )
        await c.until(
            lambda: (c.store.find(POD, "default", "shared") or {}).get("spec", {}).get("nodeName"),
            what="bound",
        )
        c.store.delete(CONFIGMAP, "default", "a")
        kept = await c.until(
            lambda: (
                (p := c.store.find(POD, "default", "shared"))
                and len(p["metadata"]["ownerReferences"]) == 1
                and p
            ),
            what="dangling reference removed",
        )
        assert kept["metadata"]["ownerReferences"][0]["name"] == "b"
        assert not kept["metadata"].get("deletionTimestamp")
        c.store.delete(CONFIGMAP, "default", "b")
        await c.until(lambda: c.store.find(POD, "default", "shared") is None, what="collected")

    run(body)


def test_an_object_created_for_a_missing_owner_is_collected() -> None:
    async def body(c: Cluster) -> None:
        ghost = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone", "uid": "0000"}
        c.create(
            POD,
            {
                "metadata": {"name": "orphan", "namespace": "default", "ownerReferences": [ghost]},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        )
        await c.until(
            lambda: c.store.find(POD, "default", "orphan") is None, what="orphan collected"
        )

    run(body)
