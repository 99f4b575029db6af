"""Rollout notifications, pure: routing, the state machine and the message, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.notifications.message import DigestEntry, Throttle, digest, message
from bot.core.notifications.routing import Route, channel_for, selector_matches
from bot.core.notifications.states import (
    Phase,
    PodProblem,
    begin,
    begin_scale,
    is_rollout,
    is_scale,
    observe,
    pod_problems,
    snapshot,
    supersede,
    with_problem,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ROUTES = (
    Route(("prod", "prod-*"), "C0PAYMENTS", "team=payments"),
    Route(("*",), "C0DEPLOYS"),
)


def deployment(
    *,
    revision: int = 2,
    image: str = "nginx:1.28",
    replicas: int = 3,
    updated: int = 0,
    ready: int = 0,
    available: int = 0,
    total: int | None = None,
    deadline: bool = False,
    generation: int = 2,
    observed: int = 2,
) -> dict[str, Any]:
    conditions = []
    if deadline:
        conditions.append({"type": "Progressing", "reason": "ProgressDeadlineExceeded"})
    return {
        "metadata": {
            "name": "web",
            "namespace": "prod",
            "uid": "u-1",
            "generation": generation,
            "annotations": {
                "deployment.kubernetes.io/revision": str(revision),
                "kubernetes.io/change-cause": "slack:@bob set image web=nginx:1.28",
            },
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": image}]}},
        },
        "status": {
            "observedGeneration": observed,
            "replicas": updated if total is None else total,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "conditions": conditions,
        },
    }


@pytest.mark.parametrize(
    ("namespace", "labels", "annotations", "channel"),
    [
        ("prod", {"team": "payments"}, {}, "C0PAYMENTS"),
        ("prod-eu", {"team": "payments"}, {}, "C0PAYMENTS"),
        ("prod", {"team": "search"}, {}, "C0DEPLOYS"),
        ("staging", {}, {}, "C0DEPLOYS"),
        ("prod", {"team": "payments"}, {"k8s-chatops.io/channel": "C0MINE"}, "C0MINE"),
        ("prod", {}, {"k8s-chatops.io/notify": "false"}, None),
        ("prod", {}, {"k8s-chatops.io/notify": "False", "k8s-chatops.io/channel": "C1"}, None),
    ],
)
def test_channel_for(
    namespace: str, labels: dict[str, str], annotations: dict[str, str], channel: str | None
) -> None:
    assert channel_for(ROUTES, namespace=namespace, labels=labels, annotations=annotations) == (
        channel
    )


def test_no_route_no_message() -> None:
    only_prod = (Route(("prod",), "C1"),)
    assert channel_for(only_prod, namespace="dev", labels={}, annotations={}) is None


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {}, True),
        ("a=b", {"a": "b"}, True),
        ("a==b", {"a": "c"}, False),
        ("a!=b", {"a": "c"}, True),
        ("a!=b", {"a": "b"}, False),
        ("a", {"a": "x"}, True),
        ("!a", {"a": "x"}, False),
        ("a=b, c=d", {"a": "b"}, False),
    ],
)
def test_selector_matches(selector: str, labels: dict[str, str], *, expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


def test_a_rollout_goes_started_progressing_complete() -> None:
    before = snapshot(deployment(revision=1, image="nginx:1.27", updated=3, ready=3, available=3))
    after = snapshot(deployment(revision=2))
    assert is_rollout(before, after)
    started = begin(after, previous=before, at=T0)
    assert started.phase is Phase.STARTED
    assert started.key == "u-1.2"
    assert "web: nginx:1.27 → nginx:1.28" in message(started).parts[0].text
    moving = observe(started, snapshot(deployment(updated=2, ready=1, available=1)), at=T0)
    assert moving.phase is Phase.PROGRESSING
    done = observe(
        moving,
        snapshot(deployment(updated=3, ready=3, available=3)),
        at=T0 + timedelta(seconds=42),
    )
    assert done.phase is Phase.COMPLETE
    reply = message(done)
    assert reply.headline.endswith("revision 2: complete")
    assert any("Complete after 42s" in p.text for p in reply.parts)
    assert "change-cause: slack:@bob set image web=nginx:1.28" in reply.context


def test_the_progress_deadline_fails_it_and_nothing_follows() -> None:
    started = begin(snapshot(deployment()), previous=None, at=T0)
    failed = observe(started, snapshot(deployment(updated=1, deadline=True)), at=T0)
    assert failed.phase is Phase.FAILED
    late = observe(failed, snapshot(deployment(updated=3, ready=3, available=3)), at=T0)
    assert late.phase is Phase.FAILED
    assert supersede(failed, at=T0).phase is Phase.FAILED


def test_a_newer_revision_supersedes() -> None:
    started = begin(snapshot(deployment()), previous=None, at=T0)
    assert observe(started, snapshot(deployment(revision=3)), at=T0) == started
    assert supersede(started, at=T0).phase is Phase.SUPERSEDED


def test_scaling_is_not_a_rollout() -> None:
    assert not is_rollout(snapshot(deployment()), snapshot(deployment(replicas=5)))


def test_failing_pods() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "web-1"},
        "status": {
            "containerStatuses": [
                {"name": "a", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "x"}}},
                {
                    "name": "b",
                    "state": {"running": {}},
                    "lastState": {"terminated": {"reason": "OOMKilled"}},
                },
                {"name": "c", "state": {"waiting": {"reason": "ContainerCreating"}}},
            ]
        },
    }
    assert [(p.container, p.reason) for p in pod_problems(pod)] == [
        ("a", "ImagePullBackOff"),
        ("b", "OOMKilled"),
    ]


@pytest.mark.parametrize(
    ("posted", "now", "seconds", "due"),
    [
        (None, Phase.STARTED, 0, True),
        (Phase.STARTED, Phase.PROGRESSING, 0, True),
        (Phase.PROGRESSING, Phase.PROGRESSING, 1, False),
        (Phase.PROGRESSING, Phase.PROGRESSING, 3, True),
        (Phase.PROGRESSING, Phase.COMPLETE, 0, True),
        (Phase.COMPLETE, Phase.COMPLETE, 60, False),
    ],
)
def test_throttle(posted: Phase | None, now: Phase, seconds: int, *, due: bool) -> None:
    last = None if posted is None else T0
    at = T0 + timedelta(seconds=seconds)
    assert Throttle(3.0).due(posted=posted, now=now, last_edit=last, at=at) is due


def test_digest_counts_and_names_failures() -> None:
    entries = [
        DigestEntry("prod", f"app-{i}", 2, phase)
        for i, phase in enumerate([Phase.COMPLETE, Phase.FAILED, Phase.PROGRESSING, Phase.COMPLETE])
    ]
    reply = digest(entries)
    assert reply.headline == "4 rollouts: 2 complete, 1 failed, 1 in progress"
    assert "prod/app-1 (revision 2)" in reply.parts[1].text


STATES = st.lists(
    st.tuples(
        st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.booleans(), st.integers(1, 3)
    ),
    max_size=12,
)


@given(STATES)
def test_states_never_go_backwards(states: list[tuple[int, int, int, bool, int]]) -> None:
    current = begin(snapshot(deployment()), previous=None, at=T0)
    for updated, ready, available, deadline, revision in states:
        d = deployment(
            revision=revision, updated=updated, ready=ready, available=available, deadline=deadline
        )
        after = observe(current, snapshot(d), at=T0)
        assert after.phase.rank >= current.phase.rank
        if current.phase.ended:
            assert after == current
        current = after


def test_a_scale_is_its_own_change_with_its_own_key() -> None:
    before = snapshot(deployment(replicas=3, updated=3, ready=3, available=3))
    after = snapshot(deployment(replicas=5, updated=3, ready=3, available=3, generation=3))
    assert is_scale(before, after)
    assert not is_scale(before, snapshot(deployment(revision=3, image="nginx:1.29")))
    scaled = begin_scale(after, previous=before, at=T0)
    assert scaled.key == "u-1.2.g3"
    assert message(scaled).headline == "Deployment prod/web scaled 3 → 5: started"
    done = observe(scaled, snapshot(deployment(replicas=5, updated=5, ready=5, available=5)), at=T0)
    assert message(done).headline == "Deployment prod/web scaled 3 → 5: complete"


@pytest.mark.parametrize(
    ("problem", "logs"),
    [
        (None, "logs deployment/web -n prod --tail 20"),
        (
            PodProblem("web-7f-x", "web", "CrashLoopBackOff"),
            "logs web-7f-x -c web -n prod --tail 20",
        ),
    ],
)
def test_the_buttons_are_the_commands_a_user_would_type(
    problem: PodProblem | None, logs: str
) -> None:
    rollout = begin(snapshot(deployment()), previous=None, at=T0)
    if problem is not None:
        rollout = with_problem(rollout, problem)
        rollout = with_problem(rollout, PodProblem("web-7f-y", "web", "OOMKilled"))
    assert [(a.label, a.command) for a in message(rollout).actions] == [
        ("Logs", logs),
        ("Status", "rollout status deployment/web -n prod"),
        ("Undo", "rollout undo deployment/web -n prod"),
    ]
