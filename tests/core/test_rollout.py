"""kubectl's rollout algorithms: status lines, undo target and patch, history, restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core import rollback, rollout, rollout_history, rollout_status
from bot.core.rollout_status import Status
from bot.errors import ClusterError, NotFound

UID = "d-uid"


def deployment(
    *,
    generation: int = 2,
    observed: int = 2,
    replicas: int | None = 3,
    status: dict[str, Any] | None = None,
    image: str = "nginx:1.27",
    annotations: dict[str, str] | None = None,
    paused: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": template(image),
    }
    if replicas is not None:
        spec["replicas"] = replicas
    if paused:
        spec["paused"] = True
    return {
        "metadata": {
            "name": "web",
            "namespace": "prod",
            "uid": UID,
            "generation": generation,
            "annotations": annotations or {},
        },
        "spec": spec,
        "status": {"observedGeneration": observed, **(status or {})},
    }


def template(image: str, *, hash_label: str | None = None) -> dict[str, Any]:
    labels = {"app": "web"}
    if hash_label:
        labels["pod-template-hash"] = hash_label
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "web", "image": image}]},
    }


def replica_set(
    name: str,
    revision: str | None,
    image: str,
    *,
    owner: str = UID,
    created: str = "2026-01-01T00:00:00Z",
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    notes = dict(annotations or {})
    if revision is not None:
        notes[rollout.REVISION] = revision
    return {
        "metadata": {
            "name": name,
            "uid": f"{name}-uid",
            "creationTimestamp": created,
            "annotations": notes,
            "ownerReferences": [
                {"kind": "Deployment", "name": "web", "uid": owner, "controller": True}
            ],
        },
        "spec": {"replicas": 0, "template": template(image, hash_label=name[-5:])},
    }


@pytest.mark.parametrize(
    ("dep", "expected"),
    [
        (
            deployment(generation=3, observed=2),
            Status("Waiting for deployment spec update to be observed..."),
        ),
        (
            deployment(status={"updatedReplicas": 1, "replicas": 3}),
            Status(
                'Waiting for deployment "web" rollout to finish: '
                "1 out of 3 new replicas have been updated..."
            ),
        ),
        (
            deployment(status={"updatedReplicas": 3, "replicas": 4, "availableReplicas": 3}),
            Status(
                'Waiting for deployment "web" rollout to finish: '
                "1 old replicas are pending termination..."
            ),
        ),
        (
            deployment(status={"updatedReplicas": 3, "replicas": 3, "availableReplicas": 2}),
            Status(
                'Waiting for deployment "web" rollout to finish: '
                "2 of 3 updated replicas are available..."
            ),
        ),
        (
            deployment(status={"updatedReplicas": 3, "replicas": 3, "availableReplicas": 3}),
            Status('deployment "web" successfully rolled out', done=True),
        ),
        (
            # no spec.replicas: the updated-count check is skipped, as in kubectl
            deployment(replicas=None, status={}),
            Status('deployment "web" successfully rolled out', done=True),
        ),
        (
            deployment(
                status={
                    "updatedReplicas": 1,
                    "conditions": [
                        {"type": "Available", "status": "True"},
                        {
                            "type": "Progressing",
                            "status": "False",
                            "reason": "ProgressDeadlineExceeded",
                        },
                    ],
                }
            ),
            Status('deployment "web" exceeded its progress deadline', failed=True),
        ),
    ],
)
def test_status_messages(dep: dict[str, Any], expected: Status) -> None:
    assert rollout_status.status(dep) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), ("3", 3), ("+4", 4), ("x", None), (" 3", None), ("1_0", None)],
)
def test_revision_parses_like_go(value: str | None, expected: int | None) -> None:
    assert rollout.revision(replica_set("web-aaaaa", value, "a")) == expected


def test_owned_replica_sets_match_controller_uid() -> None:
    mine = replica_set("web-aaaaa", "1", "a")
    other = replica_set("web-bbbbb", "2", "b", owner="someone-else")
    assert rollout.owned_replica_sets(deployment(), [mine, other]) == [mine]


def history_sets() -> list[dict[str, Any]]:
    return [
        replica_set("web-11111", "1", "nginx:1.25", annotations={rollout.CHANGE_CAUSE: "first"}),
        replica_set("web-22222", "2", "nginx:1.26", created="2026-01-02T00:00:00Z"),
        replica_set("web-33333", "3", "nginx:1.27", created="2026-01-03T00:00:00Z"),
    ]


def test_undo_picks_second_highest_revision_and_builds_json_patch() -> None:
    dep = deployment(
        annotations={rollout.REVISION: "3", "team": "a", "kubernetes.io/change-cause": "now"}
    )
    sets = history_sets()
    sets[1]["metadata"]["annotations"]["owner"] = "rs-only"
    plan = rollback.plan_undo(dep, sets)
    assert plan.outcome == "rolled back"
    tpl, annotations = plan.patch
    assert tpl["op"] == "replace"
    assert tpl["path"] == "/spec/template"
    assert tpl["value"]["metadata"]["labels"] == {"app": "web"}  # hash label removed
    assert tpl["value"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    # skip-list keys stay from the Deployment; everything else comes from the RS
    assert annotations == {
        "op": "replace",
        "path": "/metadata/annotations",
        "value": {rollout.REVISION: "3", "owner": "rs-only"},
    }


def test_undo_to_revision_restores_change_cause() -> None:
    plan = rollback.plan_undo(deployment(), history_sets(), to_revision=1)
    assert plan.patch[1]["value"] == {rollout.CHANGE_CAUSE: "first"}
    assert plan.patch[0]["value"]["spec"]["containers"][0]["image"] == "nginx:1.25"


def test_undo_skips_when_template_already_matches_and_reports_requested_revision() -> None:
    dep = deployment(image="nginx:1.26")
    assert rollback.plan_undo(dep, history_sets()) == rollback.Undo(
        "skipped rollback (current template already matches revision 0)"
    )
    assert rollback.plan_undo(dep, history_sets(), to_revision=2).outcome == (
        "skipped rollback (current template already matches revision 2)"
    )


def test_undo_ignores_unparsable_revisions() -> None:
    sets = [*history_sets(), replica_set("web-44444", "bogus", "nginx:9")]
    plan = rollback.plan_undo(deployment(), sets)
    assert plan.patch[0]["value"]["spec"]["containers"][0]["image"] == "nginx:1.26"


@pytest.mark.parametrize(
    ("sets", "to_revision", "message"),
    [
        (history_sets(), 7, "unable to find specified revision 7 in history"),
        (history_sets(), -1, "unable to find specified revision -1 in history"),
        (history_sets()[:1], 0, 'no rollout history found for deployment "web"'),
        ([], 0, 'no rollout history found for deployment "web"'),
    ],
)
def test_undo_errors(sets: list[dict[str, Any]], to_revision: int, message: str) -> None:
    with pytest.raises(NotFound, match=message):
        rollback.plan_undo(deployment(), sets, to_revision=to_revision)


def test_undo_refuses_paused_deployment() -> None:
    with pytest.raises(ClusterError, match="you cannot rollback a paused deployment"):
        rollback.plan_undo(deployment(paused=True), history_sets())


def test_new_and_old_replica_sets() -> None:
    sets = history_sets()
    dep = deployment(image="nginx:1.26")
    assert rollout.new_replica_set(dep, sets) is sets[1]
    assert [s["metadata"]["name"] for s in rollout.old_replica_sets(dep, sets)] == [
        "web-11111",
        "web-33333",
    ]


def test_templates_equal_ignores_hash_and_empty_values() -> None:
    a = template("x", hash_label="abc")
    b = template("x")
    b["metadata"]["annotations"] = {}
    b["spec"]["volumes"] = []
    assert rollout.templates_equal(a, b)
    assert not rollout.templates_equal(a, template("y"))


def test_history_rows_sorted_with_none_for_missing_cause() -> None:
    sets = list(reversed(history_sets()))
    sets.append(replica_set("web-00000", None, "nginx:1.0"))
    assert rollout_history.history_rows(sets) == [
        ("0", "<none>"),
        ("1", "first"),
        ("2", "<none>"),
        ("3", "<none>"),
    ]
    assert rollout_history.history_rows([]) == []


def test_history_folds_change_cause_into_template() -> None:
    templates = rollout_history.history(history_sets())
    assert templates[1]["metadata"]["annotations"] == {rollout.CHANGE_CAUSE: "first"}
    assert "annotations" not in templates[2]["metadata"]


def test_restart_patch() -> None:
    now = datetime(2026, 11, 29, 15, 43, 4, 123456, tzinfo=UTC)
    assert rollout.restart_patch(deployment(), now) == {
        "spec": {
            "template": {
                "metadata": {"annotations": {rollout.RESTARTED_AT: "2026-11-29T15:43:04Z"}}
            }
        }
    }


def test_restart_refuses_paused_and_same_second() -> None:
    now = datetime(2026, 11, 29, 15, 43, 4, tzinfo=UTC)
    with pytest.raises(ClusterError, match=r"can't restart paused deployment \(run rollout"):
        rollout.restart_patch(deployment(paused=True), now)
    dep = deployment()
    dep["spec"]["template"]["metadata"]["annotations"] = {
        rollout.RESTARTED_AT: "2026-11-29T15:43:04Z"
    }
    with pytest.raises(ClusterError, match="within the past second"):
        rollout.restart_patch(dep, now)


def pod(name: str, *statuses: dict[str, Any], owner: str = "rs-new", **status: Any) -> Any:
    ref = {"kind": "ReplicaSet", "uid": owner, "controller": True, "name": "web-7d9f"}
    return {
        "metadata": {"name": name, "ownerReferences": [ref]},
        "status": {"containerStatuses": list(statuses), **status},
    }


def waiting(reason: str, message: str = "", *, name: str = "web", restarts: int = 0) -> Any:
    return {
        "name": name,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason, "message": message}},
    }


NEW_RS = {"metadata": {"uid": "rs-new", "name": "web-7d9f"}}
PULL = 'Back-off pulling image "nginx:doesnotexist"'


@pytest.mark.parametrize(
    ("pods", "lines"),
    [
        (
            [pod("web-7d9f-x", waiting("ImagePullBackOff", PULL))],
            [f"pod web-7d9f-x: ImagePullBackOff — {PULL}"],
        ),
        (
            [pod("web-7d9f-y", waiting("CrashLoopBackOff", "back-off 20s", restarts=3))],
            ["pod web-7d9f-y: CrashLoopBackOff — back-off 20s (3 restarts)"],
        ),
        (
            [
                pod(
                    "web-7d9f-z",
                    waiting("ContainerCreating"),
                    {
                        "name": "side",
                        "restartCount": 1,
                        "state": {"running": {}},
                        "lastState": {"terminated": {"reason": "OOMKilled"}},
                    },
                )
            ],
            ["pod web-7d9f-z, container side: OOMKilled (1 restart)"],
        ),
        (
            [
                pod(
                    "web-7d9f-p",
                    conditions=[
                        {
                            "type": "PodScheduled",
                            "status": "False",
                            "reason": "Unschedulable",
                            "message": "0/3 nodes are available: 3 Too many pods.",
                        }
                    ],
                )
            ],
            ["pod web-7d9f-p: Unschedulable — 0/3 nodes are available: 3 Too many pods."],
        ),
        ([pod("web-old-x", waiting("ImagePullBackOff", PULL), owner="rs-old")], []),
        ([pod("web-7d9f-r", waiting("ContainerCreating"))], []),
    ],
)
def test_failing_pods_of_the_new_replica_set(pods: list[Any], lines: list[str]) -> None:
    assert rollout_status.failing_pods(NEW_RS, pods) == lines


def test_a_replica_failure_is_one_line() -> None:
    message = 'pods "web-1" is forbidden: exceeded quota: q'
    refused = {
        "status": {
            "conditions": [
                {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "reason": "FailedCreate",
                    "message": message,
                },
            ]
        }
    }
    assert (
        rollout_status.replica_failure(refused)
        == f"new pods cannot be created: FailedCreate — {message}"
    )
    assert rollout_status.replica_failure({"status": {}}) == ""
