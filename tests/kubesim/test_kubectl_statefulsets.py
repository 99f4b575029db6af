"""StatefulSets as kubectl sees them: ordered pods, rollouts with revisions, scale and delete.

``kubectl rollout status|history|undo|restart`` compute their answers from the StatefulSet's
status and its ControllerRevisions, so these tests pin the controller's bookkeeping: pods
``NAME-0..N-1`` created in order, ``controller-revision-hash`` labels, ``currentRevision`` and
``updateRevision``, a partition holding the lower ordinals back, and kubectl's own messages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, eventually, stored, stored_list
from tests.kubesim.statefulsets import manifest

pytestmark = pytest.mark.kubectl
JUDGE = Judge()


def rolled_out(kubectl: Kubectl, name: str) -> list[str]:
    lines = kubectl("rollout", "status", f"statefulset/{name}", "--timeout=60s").lines()
    assert re.fullmatch(
        r"partitioned roll out complete: \d+ new pods have been updated\.\.\.", lines[-1]
    ), lines
    for line in lines[:-1]:
        assert re.fullmatch(
            r"Waiting for \d+ pods to be ready\.\.\.|Waiting for partitioned roll out to "
            r"finish: \d+ out of \d+ new pods have been updated\.\.\.|Waiting for statefulset "
            r"spec update to be observed\.\.\.",
            line,
        ), line
    return lines


def pods(sandbox: Sandbox, name: str) -> dict[str, dict[str, Any]]:
    return {p["metadata"]["name"]: p for p in stored_list(sandbox, "Pod", "default", f"app={name}")}


def test_pods_are_named_by_ordinal_and_created_in_order(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("ordered"))
    rolled_out(kubectl, "ordered")
    found = pods(sandbox, "ordered")
    assert sorted(found) == ["ordered-0", "ordered-1", "ordered-2"]
    created = [found[f"ordered-{i}"]["metadata"]["creationTimestamp"] for i in range(3)]
    assert created == sorted(created)
    pod = found["ordered-1"]
    assert pod["spec"]["hostname"] == "ordered-1"
    assert pod["spec"]["subdomain"] == "ordered"
    assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    sts = stored(sandbox, "StatefulSet", "default", "ordered")
    assert sts is not None
    revision = sts["status"]["updateRevision"]
    assert sts["status"]["currentRevision"] == revision
    assert {p["metadata"]["labels"]["controller-revision-hash"] for p in found.values()} == {
        revision
    }
    events = kubectl(
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=ordered",
        "-o",
        "jsonpath={range .items[*]}{.message}{'\\n'}{end}",
    ).lines()
    assert events[:3] == [
        f"create Pod ordered-{i} in StatefulSet ordered successful" for i in range(3)
    ]


def test_get_prints_kubectls_columns(kubectl: Kubectl) -> None:
    kubectl.create(manifest("columns", replicas=2))
    rolled_out(kubectl, "columns")
    table = kubectl("get", "sts", "columns", "-o", "wide").table()
    assert table == [
        {
            "NAME": "columns",
            "READY": "2/2",
            "AGE": table[0]["AGE"],
            "CONTAINERS": "db",
            "IMAGES": "postgres:16",
        }
    ]
    revisions = kubectl("get", "controllerrevisions", "-l", "app=columns").table()
    assert [(r["CONTROLLER"], r["REVISION"]) for r in revisions] == [
        ("statefulset.apps/columns", "1")
    ]


def test_rollout_history_undo_and_restart(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("hist", replicas=2))
    rolled_out(kubectl, "hist")
    run = kubectl("set", "image", "statefulset/hist", "db=postgres:17")
    assert run.stdout == "statefulset.apps/hist image updated\n"
    rolled_out(kubectl, "hist")
    images = {p["spec"]["containers"][0]["image"] for p in pods(sandbox, "hist").values()}
    assert images == {"postgres:17"}
    history = kubectl("rollout", "history", "statefulset/hist").stdout
    assert (
        history
        == "statefulset.apps/hist \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    one = kubectl("rollout", "history", "statefulset/hist", "--revision=1").lines()
    assert one[0] == "statefulset.apps/hist with revision #1"
    assert "    Image:\tpostgres:16" in one
    assert (
        kubectl("rollout", "undo", "statefulset/hist").stdout
        == "statefulset.apps/hist rolled back\n"
    )
    rolled_out(kubectl, "hist")
    images = {p["spec"]["containers"][0]["image"] for p in pods(sandbox, "hist").values()}
    assert images == {"postgres:16"}
    rows = kubectl("rollout", "history", "statefulset/hist").lines()[2:]
    assert [r.split()[0] for r in rows if r] == ["2", "3"]
    skipped = kubectl("rollout", "undo", "statefulset/hist", "--to-revision=3")
    assert skipped.stdout == (
        "statefulset.apps/hist skipped rollback (current template already matches revision 3)\n"
    )
    missing = kubectl.fails("rollout", "undo", "statefulset/hist", "--to-revision=9")
    assert missing.stderr == "error: unable to find specified revision 9 in history\n"
    assert (
        kubectl("rollout", "restart", "statefulset/hist").stdout
        == "statefulset.apps/hist restarted\n"
    )
    rolled_out(kubectl, "hist")
    restarted = {
        p["metadata"]["annotations"].get("kubectl.kubernetes.io/restartedAt")
        for p in pods(sandbox, "hist").values()
    }
    assert len(restarted) == 1
    assert None not in restarted


def test_partition_keeps_lower_ordinals_at_the_current_revision(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    extra = "\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}"
    kubectl.create(manifest("part", extra=extra))
    lines = kubectl("rollout", "status", "sts/part", "--timeout=60s").lines()
    assert lines[-1] == "partitioned roll out complete: 3 new pods have been updated..."
    kubectl("set", "image", "sts/part", "db=postgres:17")
    lines = kubectl("rollout", "status", "sts/part", "--timeout=60s").lines()
    assert lines[-1] == "partitioned roll out complete: 1 new pods have been updated..."

    def images() -> dict[str, str]:
        return {n: p["spec"]["containers"][0]["image"] for n, p in pods(sandbox, "part").items()}

    eventually(
        lambda: (
            images() == {"part-0": "postgres:16", "part-1": "postgres:16", "part-2": "postgres:17"}
        ),
        what="only part-2 updated",
    )
    sts = stored(sandbox, "StatefulSet", "default", "part")
    assert sts is not None
    assert sts["status"]["currentRevision"] != sts["status"]["updateRevision"]
    assert sts["status"]["updatedReplicas"] == 1


def test_on_delete_waits_for_pods_to_be_deleted(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("manual", replicas=2, extra="\n  updateStrategy: {type: OnDelete}"))
    eventually(
        lambda: (
            len([p for p in pods(sandbox, "manual").values() if p["status"]["phase"] == "Running"])
            == 2
        ),
        what="two running pods",
    )
    failed = kubectl.fails("rollout", "status", "sts/manual")
    assert (
        failed.stderr == "error: rollout status is only available for RollingUpdate strategy type\n"
    )
    kubectl("set", "image", "sts/manual", "db=postgres:17")
    # Not waited for by kubectl: the controller re-creates manual-1 under the same name, and if
    # that happens between kubectl's GET and its LIST (the sandbox's kubelet ends a pod far
    # faster than a real one), kubectl waits for a deletion of the new pod, which never comes.
    kubectl("delete", "pod", "manual-1", "--wait=false")

    def image_of(name: str) -> str | None:
        pod = pods(sandbox, "manual").get(name)
        return (
            None
            if pod is None or pod["metadata"].get("deletionTimestamp")
            else pod["spec"]["containers"][0]["image"]
        )

    eventually(lambda: image_of("manual-1") == "postgres:17", what="manual-1 recreated")
    assert image_of("manual-0") == "postgres:16"


def test_scale_goes_through_the_scale_subresource_in_order(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    kubectl.create(manifest("scaled", replicas=1))
    rolled_out(kubectl, "scaled")
    assert (
        kubectl("scale", "sts/scaled", "--replicas=3").stdout == "statefulset.apps/scaled scaled\n"
    )
    rolled_out(kubectl, "scaled")
    assert sorted(pods(sandbox, "scaled")) == ["scaled-0", "scaled-1", "scaled-2"]
    kubectl("scale", "statefulset", "scaled", "--replicas=1")
    eventually(lambda: sorted(pods(sandbox, "scaled")) == ["scaled-0"], what="scaled down to one")
    events = kubectl(
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=scaled,reason=SuccessfulDelete",
        "-o",
        "jsonpath={range .items[*]}{.message}{'\\n'}{end}",
    ).lines()
    assert events == [
        "delete Pod scaled-2 in StatefulSet scaled successful",
        "delete Pod scaled-1 in StatefulSet scaled successful",
    ]


def test_pause_is_refused_and_delete_collects_the_pods(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("gone", replicas=2))
    rolled_out(kubectl, "gone")
    paused = kubectl.fails("rollout", "pause", "sts/gone")
    assert paused.stderr == 'error: statefulsets.apps "gone" pausing is not supported\n'
    assert kubectl("delete", "sts", "gone").stdout == 'statefulset.apps "gone" deleted\n'
    eventually(lambda: not pods(sandbox, "gone"), what="the pods collected")
    eventually(
        lambda: not stored_list(sandbox, "ControllerRevision", "default", "app=gone"),
        what="the revisions collected",
    )


def test_parallel_does_not_wait_for_ready_pods_and_ordered_does(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    """With an image that never pulls no pod gets Ready: OrderedReady stops at the first,
    Parallel creates them all."""
    broken = "registry.example/db:doesnotexist"
    kubectl.create(manifest("wide", broken, extra="\n  podManagementPolicy: Parallel"))
    kubectl.create(manifest("narrow", broken))
    eventually(lambda: len(pods(sandbox, "wide")) == 3, what="three Parallel pods")
    statuses = kubectl("get", "pods", "-l", "app=wide").table()
    assert {r["STATUS"] for r in statuses} <= {
        "ContainerCreating",
        "ErrImagePull",
        "ImagePullBackOff",
    }
    eventually(
        lambda: (
            pods(sandbox, "narrow").get("narrow-0", {}).get("status", {}).get("containerStatuses")
        ),
        what="narrow-0 started",
    )
    assert sorted(pods(sandbox, "narrow")) == ["narrow-0"]
    status = kubectl("rollout", "status", "sts/narrow", "--watch=false").stdout
    assert status == "Waiting for 3 pods to be ready...\n"
