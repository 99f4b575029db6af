"""The ReplicaSet controller: pods, names, owners, events and status."""

from __future__ import annotations

import re
from typing import Any

from kubesim.controllers.active_pods import deletion_rank
from kubesim.controllers.podtemplate import ALPHANUMS
from tests.kubesim.controller_kit import POD, REPLICASET, Cluster, Obj, condition, run


def replicaset(name: str, replicas: int, **spec: Any) -> Obj:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name, "tier": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
            **spec,
        },
    }


def settled(c: Cluster, name: str, replicas: int) -> Obj | None:
    rs = c.store.get(REPLICASET, "default", name)
    status = rs.get("status", {})
    live = [p for p in c.pods() if not p["metadata"].get("deletionTimestamp")]
    ok = (
        status.get("replicas") == replicas
        and status.get("readyReplicas", 0) == replicas
        and status.get("availableReplicas", 0) == replicas
        and len(live) == replicas
    )
    return rs if ok else None


def test_pods_are_created_named_owned_and_labelled() -> None:
    async def body(c: Cluster) -> None:
        made = c.create(REPLICASET, replicaset("web", 2))
        rs = await c.until(lambda: settled(c, "web", 2), what="2 ready pods")
        assert rs["status"] == {
            "replicas": 2,
            "fullyLabeledReplicas": 2,
            "readyReplicas": 2,
            "availableReplicas": 2,
            "observedGeneration": 1,
        }
        pods = c.pods()
        for pod in pods:
            assert re.fullmatch(f"web-[{ALPHANUMS}]{{5}}", pod["metadata"]["name"])
            assert pod["metadata"]["labels"] == {"app": "web", "tier": "web"}
            assert pod["metadata"]["ownerReferences"] == [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web",
                    "uid": made["metadata"]["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
        created = sorted(m for m in c.messages("web") if m.startswith("Created pod: "))
        assert created == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
        event = next(e for e in c.events() if e["reason"] == "SuccessfulCreate")
        assert event["source"] == {"component": "replicaset-controller"}
        assert event["involvedObject"]["kind"] == "ReplicaSet"
        assert event["type"] == "Normal"

    run(body)


def test_a_deleted_pod_is_replaced() -> None:
    async def body(c: Cluster) -> None:
        c.create(REPLICASET, replicaset("web", 2))
        await c.until(lambda: settled(c, "web", 2), what="2 ready pods")
        victim = c.pods()[0]["metadata"]["name"]
        c.store.delete(POD, "default", victim)
        await c.until(
            lambda: (
                settled(c, "web", 2) and victim not in {p["metadata"]["name"] for p in c.pods()}
            ),
            what="replacement",
        )
        assert f"Deleted pod: {victim}" not in c.messages("web")  # not the controller's doing

    run(body)


def relabel(c: Cluster, name: str, app: str) -> None:
    c.store.mutate(POD, "default", name, lambda p: p["metadata"]["labels"].update(app=app))


def test_a_pod_relabelled_out_of_the_selector_is_released_and_replaced() -> None:
    async def body(c: Cluster) -> None:
        c.create(REPLICASET, replicaset("web", 2))
        await c.until(lambda: settled(c, "web", 2), what="2 ready pods")
        quarantined = sorted(p["metadata"]["name"] for p in c.pods())[0]
        relabel(c, quarantined, "debug")
        await c.until(lambda: len(c.pods(selector="app=web")) == 2, what="a replacement")
        await c.settle()
        released = c.store.get(POD, "default", quarantined)
        assert "ownerReferences" not in released["metadata"]
        assert released["status"]["phase"] == "Running"  # kept, only out of the set
        assert len(c.pods()) == 3
        assert c.store.get(REPLICASET, "default", "web")["status"]["replicas"] == 2

    run(body)


def test_an_orphan_matching_the_selector_is_adopted_and_the_surplus_deleted() -> None:
    async def body(c: Cluster) -> None:
        c.create(REPLICASET, replicaset("web", 2))
        rs = await c.until(lambda: settled(c, "web", 2), what="2 ready pods")
        quarantined = sorted(p["metadata"]["name"] for p in c.pods())[0]
        relabel(c, quarantined, "debug")
        await c.until(
            lambda: (
                c.store.get(REPLICASET, "default", "web")["status"].get("readyReplicas") == 2
                and len(c.pods(selector="app=web")) == 2
            ),
            what="a ready replacement",
        )
        relabel(c, quarantined, "web")
        await c.until(lambda: settled(c, "web", 2), what="back to 2 pods")
        survivor = c.store.get(POD, "default", quarantined)
        assert survivor["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        # the replacement, ready for the shortest time, is the one deleted
        assert quarantined in {p["metadata"]["name"] for p in c.pods()}

    run(body)


def test_scaling_down_deletes_surplus_pods_with_events() -> None:
    async def body(c: Cluster) -> None:
        c.create(REPLICASET, replicaset("web", 3))
        await c.until(lambda: settled(c, "web", 3), what="3 ready pods")
        c.store.mutate(REPLICASET, "default", "web", lambda rs: rs["spec"].update(replicas=1))
        rs = await c.until(lambda: settled(c, "web", 1), what="1 pod left")
        assert rs["status"]["observedGeneration"] == 2
        deleted = [m for m in c.messages("web") if m.startswith("Deleted pod: ")]
        assert len(deleted) == 2

    run(body)


def test_min_ready_seconds_delays_availability() -> None:
    async def body(c: Cluster) -> None:
        c.create(REPLICASET, replicaset("web", 1, minReadySeconds=60))
        ready_first = await c.until(
            lambda: (
                (rs := c.store.get(REPLICASET, "default", "web"))
                .get("status", {})
                .get("readyReplicas")
                and rs
            ),
            what="ready",
        )
        assert ready_first["status"].get("availableReplicas", 0) == 0
        await c.until(lambda: settled(c, "web", 1), what="available after minReadySeconds")

    run(body)


def pod(
    name: str, *, node: str = "n1", phase: str = "Running", ready: bool = True, **extra: Any
) -> Obj:
    return {
        "metadata": {
            "name": name,
            "creationTimestamp": extra.get("created", "2026-01-01T00:00:00Z"),
        },
        "spec": {"nodeName": node},
        "status": {
            "phase": phase,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True" if ready else "False",
                    "lastTransitionTime": extra.get("ready_at", "2026-01-01T00:00:10Z"),
                }
            ],
            "containerStatuses": [{"restartCount": extra.get("restarts", 0)}],
        },
    }


def test_surplus_pods_are_picked_as_upstream_ranks_them() -> None:
    pods = [
        pod("old-ready"),
        pod("new-ready", created="2026-01-02T00:00:00Z", ready_at="2026-01-02T00:00:10Z"),
        pod("restarting", restarts=4),
        pod("not-ready", ready=False),
        pod("pending", phase="Pending", ready=False),
        pod("unscheduled", node="", phase="Pending", ready=False),
    ]
    order = [p["metadata"]["name"] for p in sorted(pods, key=deletion_rank)]
    assert order == ["unscheduled", "pending", "not-ready", "new-ready", "restarting", "old-ready"]


def test_a_pod_without_ready_condition_counts_as_not_ready() -> None:
    assert condition({"status": {}}, "Ready") is None
