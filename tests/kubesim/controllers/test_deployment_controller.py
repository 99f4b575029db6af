"""The Deployment controller against a real Store, clock and kubelet."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kubesim.controllers.deployment.revisions import (
    REVISION,
    REVISION_HISTORY,
    set_new_rs_annotations,
)
from kubesim.controllers.deployment.rollout_math import fenceposts, scaled_value
from kubesim.controllers.podtemplate import ALPHANUMS, template_hash
from tests.kubesim.controller_kit import (
    DEPLOYMENT,
    Cluster,
    Obj,
    condition,
    deployment_manifest,
    run,
)

REV = "deployment.kubernetes.io/revision"


def complete(c: Cluster, name: str, replicas: int) -> Obj | None:
    d = c.deployment(name)
    status = d.get("status", {})
    progressing = condition(d, "Progressing") or {}
    done = (
        status.get("observedGeneration") == d["metadata"]["generation"]
        and status.get("updatedReplicas") == replicas
        and status.get("availableReplicas") == replicas
        and status.get("replicas") == replicas
        and progressing.get("reason") == "NewReplicaSetAvailable"
    )
    return d if done else None


def set_image(c: Cluster, name: str, image: str, cause: str | None = None) -> None:
    def update(obj: Obj) -> None:
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = image
        if cause:
            obj["metadata"].setdefault("annotations", {})["kubernetes.io/change-cause"] = cause

    c.store.mutate(DEPLOYMENT, "default", name, update)


def by_revision(c: Cluster) -> dict[int, Obj]:
    return {int(rs["metadata"]["annotations"][REV]): rs for rs in c.replicasets()}


def test_a_new_deployment_settles_like_a_real_one() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.27"))
        d = await c.until(lambda: complete(c, "web", 3), what="web rolled out")
        [rs] = c.replicasets()
        pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
        assert rs["metadata"]["name"] == f"web-{pod_hash}"
        assert re.fullmatch(f"[{ALPHANUMS}]{{6,10}}", pod_hash)
        assert rs["spec"]["selector"]["matchLabels"] == {
            "app": "web",
            "pod-template-hash": pod_hash,
        }
        assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == pod_hash
        assert rs["metadata"]["ownerReferences"][0] | {"uid": None} == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "web",
            "uid": None,
            "controller": True,
            "blockOwnerDeletion": True,
        }
        assert rs["metadata"]["annotations"] == {
            REV: "1",
            "deployment.kubernetes.io/desired-replicas": "3",
            "deployment.kubernetes.io/max-replicas": "4",
        }
        assert d["metadata"]["annotations"][REV] == "1"
        pods = c.pods(selector="app=web")
        assert len(pods) == 3
        assert all(p["status"]["phase"] == "Running" for p in pods)
        assert all(p["metadata"]["labels"]["pod-template-hash"] == pod_hash for p in pods)
        status = d["status"]
        assert {k: v for k, v in status.items() if k != "conditions"} == {
            "observedGeneration": 1,
            "replicas": 3,
            "updatedReplicas": 3,
            "readyReplicas": 3,
            "availableReplicas": 3,
        }
        assert [
            (x["type"], x["status"], x["reason"], x["message"]) for x in status["conditions"]
        ] == [
            (
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            ),
            (
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.',
            ),
        ]
        assert f"Scaled up replica set {rs['metadata']['name']} to 3" in c.messages("web")
        scaling = [e for e in c.events() if e["reason"] == "ScalingReplicaSet"]
        assert scaling[0]["source"] == {"component": "deployment-controller"}
        assert scaling[0]["involvedObject"]["kind"] == "Deployment"

    run(body)


def test_a_settled_deployment_writes_nothing() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.27", 2))
        await c.until(lambda: complete(c, "web", 2), what="web rolled out")
        settled = await c.settle()
        c.controllers.deployments.enqueue(("default", "web"))
        c.controllers.replicasets.enqueue(("default", c.replicasets()[0]["metadata"]["name"]))
        assert await c.settle() == settled

    run(body)


def test_an_image_update_rolls_within_surge_and_unavailability() -> None:
    seen: list[tuple[int, int]] = []

    async def body(c: Cluster) -> None:
        strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 4, strategy=strategy))
        await c.until(lambda: complete(c, "web", 4), what="first rollout")

        def observe(_type: str, rt: Any, _obj: Obj) -> None:
            if rt.kind == "Pod":
                live = [p for p in c.pods() if not p["metadata"].get("deletionTimestamp")]
                ready = [p for p in live if (condition(p, "Ready") or {}).get("status") == "True"]
                seen.append((len(live), len(ready)))

        stop = c.store.subscribe(observe)
        set_image(c, "web", "nginx:1.27", "slack:@alice set image web=nginx:1.27")
        await c.until(lambda: complete(c, "web", 4) and len(c.pods()) == 4, what="second rollout")
        stop()
        revisions = by_revision(c)
        assert sorted(revisions) == [1, 2]
        assert revisions[1]["spec"]["replicas"] == 0
        assert revisions[2]["spec"]["replicas"] == 4
        assert revisions[2]["metadata"]["annotations"]["kubernetes.io/change-cause"] == (
            "slack:@alice set image web=nginx:1.27"
        )
        assert c.deployment("web")["metadata"]["annotations"][REV] == "2"
        assert all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in c.pods())

    run(body)
    assert seen, "the rollout produced pod events"
    assert max(live for live, _ in seen) <= 4 + 1  # replicas + maxSurge
    assert min(ready for _, ready in seen) >= 4 - 1  # replicas - maxUnavailable
    assert max(live for live, _ in seen) == 5  # the surge was used


def test_undo_reuses_the_old_replicaset_with_the_next_revision() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 2))
        await c.until(lambda: complete(c, "web", 2), what="v1")
        first = c.replicasets()[0]["metadata"]["name"]
        set_image(c, "web", "nginx:1.27")
        await c.until(lambda: complete(c, "web", 2) and len(c.replicasets()) == 2, what="v2")
        set_image(c, "web", "nginx:1.26")  # what `rollout undo` patches in
        await c.until(lambda: complete(c, "web", 2) and by_revision(c).get(3), what="undo settled")
        revisions = by_revision(c)
        assert sorted(revisions) == [2, 3]
        assert revisions[3]["metadata"]["name"] == first
        assert revisions[3]["metadata"]["annotations"][REVISION_HISTORY] == "1"
        assert revisions[3]["spec"]["replicas"] == 2
        assert c.deployment("web")["metadata"]["annotations"][REV] == "3"

    run(body)


def test_old_replicasets_beyond_the_history_limit_are_deleted() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.25", 1, revisionHistoryLimit=1))
        for image in ("nginx:1.26", "nginx:1.27"):
            await c.until(lambda: complete(c, "web", 1), what="rollout")
            set_image(c, "web", image)
        await c.until(
            lambda: complete(c, "web", 1) and len(c.replicasets()) == 2, what="history pruned"
        )
        assert sorted(by_revision(c)) == [2, 3]

    run(body)


def test_scaling_a_settled_deployment_scales_its_replicaset() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.27", 2))
        await c.until(lambda: complete(c, "web", 2), what="2 replicas")
        c.store.mutate(DEPLOYMENT, "default", "web", lambda d: d["spec"].update(replicas=5))
        await c.until(lambda: complete(c, "web", 5), what="5 replicas")
        [rs] = c.replicasets()
        name = rs["metadata"]["name"]
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
        assert f"Scaled up replica set {name} to 5 from 2" in c.messages("web")
        c.store.mutate(DEPLOYMENT, "default", "web", lambda d: d["spec"].update(replicas=1))
        await c.until(lambda: complete(c, "web", 1) and len(c.pods()) == 1, what="1 replica")
        assert f"Scaled down replica set {name} to 1 from 5" in c.messages("web")

    run(body)


def test_scaling_mid_rollout_spreads_over_both_replicasets() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 4))
        await c.until(lambda: complete(c, "web", 4), what="v1")
        set_image(c, "web", "ghcr.io/acme/web:doesnotexist")  # stuck half-way
        await c.until(lambda: len(c.replicasets()) == 2, what="rollout started")
        c.store.mutate(DEPLOYMENT, "default", "web", lambda d: d["spec"].update(replicas=8))
        await c.until(
            lambda: sum(rs["spec"]["replicas"] for rs in c.replicasets()) == 8 + 2,
            what="proportional scale to 8 + maxSurge",
        )
        assert all(rs["spec"]["replicas"] > 0 for rs in c.replicasets())

    run(body)


def test_recreate_stops_every_old_pod_before_starting_new_ones() -> None:
    overlap: list[bool] = []

    async def body(c: Cluster) -> None:
        c.create(
            DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 3, strategy={"type": "Recreate"})
        )
        await c.until(lambda: complete(c, "web", 3), what="v1")
        old_hash = c.replicasets()[0]["metadata"]["labels"]["pod-template-hash"]

        def observe(_type: str, rt: Any, _obj: Obj) -> None:
            if rt.kind == "Pod":
                hashes = {p["metadata"]["labels"]["pod-template-hash"] for p in c.pods()}
                overlap.append(old_hash in hashes and len(hashes) > 1)

        stop = c.store.subscribe(observe)
        set_image(c, "web", "nginx:1.27")
        await c.until(lambda: complete(c, "web", 3) and len(c.pods()) == 3, what="v2")
        stop()

    run(body)
    assert overlap
    assert not any(overlap)


def pause(c: Cluster, name: str, *, paused: bool) -> None:
    c.store.mutate(DEPLOYMENT, "default", name, lambda d: d["spec"].update(paused=paused))


def progressing(c: Cluster, name: str, reason: str) -> Obj | None:
    found = condition(c.deployment(name), "Progressing")
    return found if found is not None and found["reason"] == reason else None


def stuck_at(c: Cluster, sizes: list[int]) -> bool:
    return sorted(rs["spec"]["replicas"] for rs in c.replicasets()) == sizes


def test_a_paused_deployment_does_not_roll_until_resumed() -> None:
    writes: list[tuple[int, int, str]] = []

    def observe(_type: str, rt: Any, obj: Obj) -> None:
        if rt.kind == "Deployment":
            p = condition(obj, "Progressing") or {}
            meta, status = obj["metadata"], obj.get("status", {})
            writes.append(
                (meta["generation"], status.get("observedGeneration", 0), p.get("reason", ""))
            )

    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 2))
        await c.until(lambda: complete(c, "web", 2), what="v1")
        stop = c.store.subscribe(observe)
        pause(c, "web", paused=True)
        set_image(c, "web", "nginx:1.27")
        paused = await c.until(lambda: progressing(c, "web", "DeploymentPaused"), what="paused")
        assert (paused["status"], paused["message"]) == ("Unknown", "Deployment is paused")
        await c.settle()
        d = c.deployment("web")
        assert len(c.replicasets()) == 1
        assert d["metadata"]["annotations"][REV] == "1"
        # The template change is observed, and no replica runs it (calculateStatus, no new RS).
        assert d["status"]["observedGeneration"] == d["metadata"]["generation"] == 3
        assert "updatedReplicas" not in d["status"]
        assert d["status"]["replicas"] == d["status"]["availableReplicas"] == 2
        # checkPausedConditions writes the condition before the sync writes the counters.
        assert (3, 1, "DeploymentPaused") in writes
        assert writes[-1] == (3, 3, "DeploymentPaused")

        writes.clear()
        pause(c, "web", paused=False)
        await c.until(
            lambda: complete(c, "web", 2) and len(c.replicasets()) == 2, what="resumed rollout"
        )
        stop()
        reasons = [reason for *_, reason in writes]
        assert reasons.index("DeploymentResumed") < reasons.index("NewReplicaSetCreated")
        assert c.deployment("web")["metadata"]["annotations"][REV] == "2"

    run(body)


def test_scaling_a_paused_deployment_spreads_over_its_replicasets() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 4))
        await c.until(lambda: complete(c, "web", 4), what="v1")
        set_image(c, "web", "ghcr.io/acme/web:doesnotexist")
        # maxSurge 1, maxUnavailable 1: the rollout sticks at 3 old + 2 new that never start.
        await c.until(lambda: stuck_at(c, [2, 3]), what="stuck rollout")
        pause(c, "web", paused=True)
        set_image(c, "web", "nginx:1.27")  # a third template: not rolled out while paused
        await c.until(lambda: progressing(c, "web", "DeploymentPaused"), what="paused")
        c.store.mutate(DEPLOYMENT, "default", "web", lambda d: d["spec"].update(replicas=8))
        # 8 + maxSurge 2 = 10, spread by the max-replicas annotation 5: old 3 -> 6, new 2 -> 4.
        await c.until(lambda: stuck_at(c, [4, 6]), what="proportional scale")
        await c.settle()
        by_image = {
            rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in c.replicasets()
        }
        assert {image: rs["spec"]["replicas"] for image, rs in by_image.items()} == {
            "nginx:1.26": 6,
            "ghcr.io/acme/web:doesnotexist": 4,
        }
        old = by_image["nginx:1.26"]["metadata"]["name"]
        assert f"Scaled up replica set {old} to 6 from 3" in c.messages("web")

    run(body)


def test_the_progress_deadline_is_not_counted_while_paused() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 2))
        await c.until(lambda: complete(c, "web", 2), what="v1")

        def deploy_v2(d: Obj) -> None:
            d["spec"]["progressDeadlineSeconds"] = 30
            d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:doesnotexist"

        c.store.mutate(DEPLOYMENT, "default", "web", deploy_v2)
        # maxSurge 1, maxUnavailable 0: stuck at 2 old + 1 new that never starts.
        await c.until(lambda: stuck_at(c, [1, 2]), what="stuck rollout")
        await c.settle()
        assert not progressing(c, "web", "ProgressDeadlineExceeded")
        pause(c, "web", paused=True)
        paused_at = c.clock.now()
        await c.until(lambda: progressing(c, "web", "DeploymentPaused"), what="paused")
        await c.until(lambda: c.clock.elapsed(paused_at) > 45, what="the deadline passed")
        await c.settle()
        assert progressing(c, "web", "DeploymentPaused")
        resumed_at = c.clock.now()
        pause(c, "web", paused=False)
        resumed = await c.until(lambda: progressing(c, "web", "DeploymentResumed"), what="resumed")
        assert (resumed["status"], resumed["message"]) == ("Unknown", "Deployment is resumed")
        await c.until(lambda: progressing(c, "web", "ProgressDeadlineExceeded"), what="timeout")
        # measured from the resume, not from the last progress before the pause
        assert c.clock.elapsed(resumed_at) >= 30

    run(body)


def test_an_image_that_cannot_be_pulled_exceeds_the_progress_deadline() -> None:
    async def body(c: Cluster) -> None:
        c.create(DEPLOYMENT, deployment_manifest("web", "nginx:1.26", 2))
        await c.until(lambda: complete(c, "web", 2), what="v1")

        def deploy_v2(d: Obj) -> None:
            d["spec"]["progressDeadlineSeconds"] = 30
            d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:doesnotexist"

        c.store.mutate(DEPLOYMENT, "default", "web", deploy_v2)
        stuck = await c.until(
            lambda: (
                (p := condition(c.deployment("web"), "Progressing"))
                and p["reason"] == "ProgressDeadlineExceeded"
                and p
            ),
            what="ProgressDeadlineExceeded",
        )
        new = by_revision(c)[2]["metadata"]["name"]
        assert stuck["status"] == "False"
        assert stuck["message"] == f'ReplicaSet "{new}" has timed out progressing.'
        waiting = [
            p["status"]["containerStatuses"][0]["state"].get("waiting", {}).get("reason")
            for p in c.pods(selector=f"pod-template-hash={new.rsplit('-', 1)[1]}")
            if p["status"].get("containerStatuses")  # a pod created this instant has none yet
        ]
        assert waiting
        assert set(waiting) <= {"ErrImagePull", "ImagePullBackOff", "ContainerCreating"}
        assert c.deployment("web")["status"]["availableReplicas"] >= 1  # old pods keep serving

    run(body)


# --- the pure arithmetic behind it --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "total", "up", "expected"),
    [
        ("25%", 10, True, 3),
        ("25%", 10, False, 2),
        ("25%", 1, True, 1),
        ("25%", 1, False, 0),
        (2, 10, True, 2),
        ("0%", 5, True, 0),
    ],
)
def test_percentages_round_like_upstream(
    value: Any, total: int, *, up: bool, expected: int
) -> None:
    assert scaled_value(value, total, round_up=up) == expected


def test_zero_surge_and_unavailability_resolve_to_one_unavailable() -> None:
    d = deployment_manifest("w", "i", 1)
    d["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "10%", "maxUnavailable": "10%"},
    }
    assert fenceposts(d) == (1, 0)
    d["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": 0, "maxUnavailable": "10%"}
    assert fenceposts(d) == (0, 1)


def test_template_hash_is_stable_and_changes_with_the_template() -> None:
    template = deployment_manifest("w", "nginx:1.27")["spec"]["template"]
    other = deployment_manifest("w", "nginx:1.26")["spec"]["template"]
    assert template_hash(template) == template_hash(dict(template))
    assert template_hash(template) != template_hash(other)
    assert template_hash(template) != template_hash(template, collision_count=1)


def test_a_reused_replicaset_records_its_old_revisions() -> None:
    rs: Obj = {"metadata": {"annotations": {REVISION: "2", REVISION_HISTORY: "1"}}}
    d: Obj = {"metadata": {"annotations": {"kubernetes.io/change-cause": "undo"}}}
    assert set_new_rs_annotations(d, rs, 5, exists=True, desired=1, max_replicas=2)
    assert rs["metadata"]["annotations"] == {
        REVISION: "5",
        REVISION_HISTORY: "1,2",
        "kubernetes.io/change-cause": "undo",
    }
