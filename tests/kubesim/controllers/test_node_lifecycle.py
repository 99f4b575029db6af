"""The node controller's NoSchedule taints and the kubelet's schedulability events on cordon."""

from __future__ import annotations

from kubesim.controllers.node_lifecycle import wanted_taint_keys
from kubesim.machinery.clock import parse_rfc3339
from tests.kubesim.controller_kit import NODE, Cluster, Obj, run

UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def cordon(c: Cluster, name: str, *, unschedulable: bool) -> None:
    def update(node: Obj) -> None:
        if unschedulable:
            node["spec"]["unschedulable"] = True
        else:
            node["spec"].pop("unschedulable", None)

    c.store.mutate(NODE, None, name, update)


def taints(c: Cluster, name: str) -> list[Obj]:
    return list(c.store.get(NODE, None, name)["spec"].get("taints") or [])


def node_events(c: Cluster, name: str) -> list[Obj]:
    return [
        e
        for e in c.events()
        if e["involvedObject"]["kind"] == "Node" and e["involvedObject"]["name"] == name
    ]


def test_cordon_adds_the_unschedulable_taint_and_uncordon_removes_it() -> None:
    async def body(c: Cluster) -> None:
        before = c.clock.now().replace(microsecond=0)
        cordon(c, "sandbox-worker", unschedulable=True)
        [taint] = await c.until(lambda: taints(c, "sandbox-worker"), what="the taint")
        assert taint | {"timeAdded": None} == {
            "key": UNSCHEDULABLE,
            "effect": "NoSchedule",
            "timeAdded": None,
        }
        assert parse_rfc3339(taint["timeAdded"]) >= before
        cordon(c, "sandbox-worker", unschedulable=False)
        await c.until(lambda: not taints(c, "sandbox-worker"), what="the taint removed")
        assert "taints" not in c.store.get(NODE, None, "sandbox-worker")["spec"]

    run(body)


def test_the_taint_goes_after_taints_the_controller_does_not_own_and_leaves_them() -> None:
    async def body(c: Cluster) -> None:
        own = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
        assert taints(c, "sandbox-control-plane") == [own]
        cordon(c, "sandbox-control-plane", unschedulable=True)
        await c.until(lambda: len(taints(c, "sandbox-control-plane")) == 2, what="two taints")
        assert [t["key"] for t in taints(c, "sandbox-control-plane")] == [own["key"], UNSCHEDULABLE]
        cordon(c, "sandbox-control-plane", unschedulable=False)
        await c.until(lambda: taints(c, "sandbox-control-plane") == [own], what="own taint kept")

    run(body)


def test_a_settled_node_is_not_written_again() -> None:
    async def body(c: Cluster) -> None:
        cordon(c, "sandbox-worker", unschedulable=True)
        await c.until(lambda: taints(c, "sandbox-worker"), what="the taint")
        settled = await c.settle()
        c.controllers.nodes.enqueue("sandbox-worker")
        assert await c.settle() == settled

    run(body)


def test_the_kubelet_reports_each_change_of_schedulability() -> None:
    async def body(c: Cluster) -> None:
        await c.settle()
        assert node_events(c, "sandbox-worker") == []  # nothing changed yet
        cordon(c, "sandbox-worker", unschedulable=True)
        await c.until(lambda: node_events(c, "sandbox-worker"), what="NodeNotSchedulable")
        cordon(c, "sandbox-worker", unschedulable=False)
        await c.until(lambda: len(node_events(c, "sandbox-worker")) == 2, what="NodeSchedulable")
        first, second = sorted(node_events(c, "sandbox-worker"), key=lambda e: e["reason"])
        assert (first["reason"], first["message"]) == (
            "NodeNotSchedulable",
            "Node sandbox-worker status is now: NodeNotSchedulable",
        )
        assert (second["reason"], second["message"]) == (
            "NodeSchedulable",
            "Node sandbox-worker status is now: NodeSchedulable",
        )
        # The kubelet's node reference carries the node's name as its uid (describe asks for both).
        assert first["involvedObject"] | {"apiVersion": None, "resourceVersion": None} == {
            "kind": "Node",
            "name": "sandbox-worker",
            "uid": "sandbox-worker",
            "apiVersion": None,
            "resourceVersion": None,
        }
        assert first["metadata"]["namespace"] == "default"
        assert first["source"] == {"component": "kubelet", "host": "sandbox-worker"}

    run(body)


def test_condition_taints_follow_the_upstream_table() -> None:
    node: Obj = {
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "True"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "Ready", "status": "Unknown"},
            ]
        },
    }
    assert wanted_taint_keys(node) == [
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/unreachable",
        UNSCHEDULABLE,
    ]
