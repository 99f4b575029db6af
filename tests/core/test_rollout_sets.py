"""kubectl's StatefulSet and DaemonSet status viewers and set rollbacks, as tables."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import rollout_sets
from bot.errors import ClusterError, NotFound


def sts(
    *, generation: int = 2, observed: int = 2, strategy: dict[str, Any] | None = None, **status: Any
) -> dict[str, Any]:
    return {
        "metadata": {"name": "db", "generation": generation},
        "spec": {
            "replicas": 3,
            "updateStrategy": strategy
            or {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        },
        "status": {"observedGeneration": observed, **status},
    }


@pytest.mark.parametrize(
    ("obj", "message", "done", "failed"),
    [
        (
            sts(strategy={"type": "OnDelete"}),
            "rollout status is only available for RollingUpdate strategy type",
            False,
            True,
        ),
        (sts(observed=1), "Waiting for statefulset spec update to be observed...", False, False),
        (
            sts(observed=0, generation=0),
            "Waiting for statefulset spec update to be observed...",
            False,
            False,
        ),
        (sts(readyReplicas=1), "Waiting for 2 pods to be ready...", False, False),
        (
            sts(readyReplicas=3, updatedReplicas=1),
            "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...",
            False,
            False,
        ),
        (
            sts(
                readyReplicas=3,
                updatedReplicas=1,
                strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}},
            ),
            "partitioned roll out complete: 1 new pods have been updated...",
            True,
            False,
        ),
        (
            sts(
                readyReplicas=3,
                updatedReplicas=2,
                updateRevision="db-2",
                currentRevision="db-1",
                strategy={"type": "RollingUpdate"},
            ),
            "waiting for statefulset rolling update to complete 2 pods at revision db-2...",
            False,
            False,
        ),
        (
            sts(
                readyReplicas=3,
                currentReplicas=3,
                updateRevision="db-2",
                currentRevision="db-2",
                strategy={"type": "RollingUpdate"},
            ),
            "statefulset rolling update complete 3 pods at revision db-2...",
            True,
            False,
        ),
    ],
)
def test_statefulset_status(obj: dict[str, Any], message: str, *, done: bool, failed: bool) -> None:
    state = rollout_sets.statefulset_status(obj)
    assert (state.message, state.done, state.failed) == (message, done, failed)


def ds(*, generation: int = 1, strategy: str = "RollingUpdate", **status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "agent", "generation": generation},
        "spec": {"updateStrategy": {"type": strategy}},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, **status},
    }


@pytest.mark.parametrize(
    ("obj", "message", "done"),
    [
        (ds(generation=2), "Waiting for daemon set spec update to be observed...", False),
        (
            ds(updatedNumberScheduled=1),
            'Waiting for daemon set "agent" rollout to finish: '
            "1 out of 3 new pods have been updated...",
            False,
        ),
        (
            ds(updatedNumberScheduled=3, numberAvailable=2),
            'Waiting for daemon set "agent" rollout to finish: '
            "2 of 3 updated pods are available...",
            False,
        ),
        (
            ds(updatedNumberScheduled=3, numberAvailable=3),
            'daemon set "agent" successfully rolled out',
            True,
        ),
    ],
)
def test_daemonset_status(obj: dict[str, Any], message: str, *, done: bool) -> None:
    state = rollout_sets.daemonset_status(obj)
    assert (state.message, state.done) == (message, done)
    assert rollout_sets.daemonset_status(ds(strategy="OnDelete")).failed


def revision(number: int, image: str, cause: str = "") -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": f"db-{number}",
        "ownerReferences": [{"uid": "u1", "controller": True}],
    }
    if cause:
        meta["annotations"] = {"kubernetes.io/change-cause": cause}
    template = {
        "metadata": {"labels": {"app": "db"}},
        "spec": {"containers": [{"name": "db", "image": image}]},
    }
    return {
        "metadata": meta,
        "revision": number,
        "data": {"spec": {"template": {**template, "$patch": "replace"}}},
    }


OWNER = {
    "metadata": {"name": "db", "uid": "u1"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "db"}},
            "spec": {"containers": [{"name": "db", "image": "pg:2"}]},
        }
    },
}
HISTORY = [revision(2, "pg:2", "upgrade"), revision(1, "pg:1")]


def test_history_rows_and_templates() -> None:
    assert rollout_sets.history_rows(HISTORY) == [("1", "<none>"), ("2", "upgrade")]
    templates = rollout_sets.history(HISTORY)
    assert "$patch" not in templates[1]
    assert templates[2]["metadata"]["annotations"] == {"kubernetes.io/change-cause": "upgrade"}
    foreign = {
        **revision(3, "pg:3"),
        "metadata": {"name": "x", "ownerReferences": [{"uid": "u2", "controller": True}]},
    }
    assert rollout_sets.owned_revisions(OWNER, [*HISTORY, foreign]) == HISTORY


def test_undo_picks_the_previous_revision_and_skips_the_current_template() -> None:
    plan = rollout_sets.plan_undo(OWNER, HISTORY)
    assert plan.outcome == "rolled back"
    assert plan.patch == HISTORY[1]["data"]
    skipped = rollout_sets.plan_undo(OWNER, HISTORY, to_revision=2)
    assert skipped == rollout_sets.SetUndo(
        "skipped rollback (current template already matches revision 2)"
    )


@pytest.mark.parametrize(
    ("revisions", "to", "error", "message"),
    [
        (HISTORY, -1, NotFound, "unable to find specified revision -1 in history"),
        (HISTORY, 7, NotFound, "unable to find specified revision 7 in history"),
        (HISTORY[:1], 0, ClusterError, "no last revision to roll back to"),
    ],
)
def test_undo_errors_as_kubectl_words_them(
    revisions: list[dict[str, Any]], to: int, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        rollout_sets.plan_undo(OWNER, revisions, to_revision=to)
