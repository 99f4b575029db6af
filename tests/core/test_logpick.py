"""kubectl's log pod order (podutils ByLogging) and container defaulting."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import logpick
from bot.errors import UsageError


def pod(
    name: str,
    *,
    node: str = "node-1",
    phase: str = "Running",
    ready_since: str | None = "2026-01-01T00:00:00Z",
    restarts: int = 0,
    created: str = "2026-01-01T00:00:00Z",
    containers: tuple[str, ...] = ("web",),
    init: tuple[str, ...] = (),
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    conditions = []
    if ready_since is not None:
        conditions.append({"type": "Ready", "status": "True", "lastTransitionTime": ready_since})
    return {
        "metadata": {"name": name, "creationTimestamp": created, "annotations": annotations or {}},
        "spec": {
            "nodeName": node,
            "containers": [{"name": c} for c in containers],
            "initContainers": [{"name": c} for c in init],
        },
        "status": {
            "phase": phase,
            "conditions": conditions,
            "containerStatuses": [{"name": containers[0], "restartCount": restarts}],
        },
    }


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        (pod("a"), pod("b", node="")),  # assigned before unassigned
        (pod("a"), pod("b", phase="Pending")),  # Running before Pending
        (pod("a", phase="Unknown"), pod("b", phase="Pending")),  # Unknown before Pending
        (pod("a"), pod("b", ready_since=None)),  # ready before not ready
        (
            pod("a", ready_since="2026-01-01T00:00:00Z"),
            pod("b", ready_since="2026-01-02T00:00:00Z"),
        ),  # ready longer first
        (pod("a", restarts=3), pod("b", restarts=1)),  # more restarts first
        (
            pod("a", created="2026-01-01T00:00:00Z"),
            pod("b", created="2026-01-05T00:00:00Z"),
        ),  # older first
    ],
)
def test_by_logging_prefers(better: dict[str, Any], worse: dict[str, Any]) -> None:
    assert logpick.by_logging([worse, better])[0] is better
    assert logpick.by_logging([better, worse])[0] is better


def test_single_container_is_chosen_silently() -> None:
    assert logpick.pick_container(pod("a"), None) == logpick.ContainerChoice("web")


def test_first_container_is_defaulted_with_kubectls_notice() -> None:
    choice = logpick.pick_container(pod("a", containers=("web", "sidecar"), init=("setup",)), None)
    assert choice == logpick.ContainerChoice(
        "web", 'Defaulted container "web" out of: setup, web, sidecar'
    )


def test_default_container_annotation_wins() -> None:
    p = pod(
        "a",
        containers=("web", "sidecar"),
        annotations={logpick.DEFAULT_CONTAINER: "sidecar"},
    )
    assert logpick.pick_container(p, None) == logpick.ContainerChoice("sidecar")


def test_unknown_default_container_annotation_is_reported() -> None:
    p = pod("a", annotations={logpick.DEFAULT_CONTAINER: "gone"})
    assert logpick.pick_container(p, None) == logpick.ContainerChoice(
        "web", 'Default container name "gone" not found in pod a'
    )


def test_requested_container_must_exist() -> None:
    p = pod("a", containers=("web", "sidecar"))
    assert logpick.pick_container(p, "sidecar") == logpick.ContainerChoice("sidecar")
    with pytest.raises(UsageError, match="container db is not valid for pod a out of: web, side"):
        logpick.pick_container(p, "db")
