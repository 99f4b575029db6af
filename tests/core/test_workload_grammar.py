"""The workload kinds in the typed verbs: what each accepts, as kubectl does, and what it names."""

from __future__ import annotations

import pytest

from bot.core.grammar import parse
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.rollout_pause import PauseRollout
from bot.core.verbs.scale import Scale


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("rollout status sts/db", "statefulset"),
        ("rollout history statefulset.apps/db", "statefulset"),
        ("rollout undo ds/agent --to-revision=2", "daemonset"),
        ("rollout restart daemonsets agent", "daemonset"),
        ("rollout status deploy/web", "deployment"),
    ],
)
def test_rollout_takes_deployments_statefulsets_and_daemonsets(text: str, kind: str) -> None:
    cmd = parse(text)
    assert isinstance(cmd, Rollout)
    assert cmd.kind == kind
    assert cmd.action in RolloutAction


def test_pause_parses_sets_for_the_cluster_to_refuse() -> None:
    cmd = parse("rollout pause sts/db -n prod")
    assert cmd == PauseRollout(name="db", paused=True, kind="statefulset", namespace="prod")


def test_scale_takes_statefulsets() -> None:
    assert parse("scale sts/postgres --replicas=3 -n prod") == Scale(
        name="postgres", replicas=3, kind="statefulset", namespace="prod"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [("logs sts/db", "statefulset"), ("logs ds/agent", "daemonset"), ("logs job/migrate", "job")],
)
def test_logs_picks_a_pod_of_a_workload(text: str, kind: str) -> None:
    cmd = parse(text)
    assert isinstance(cmd, Logs)
    assert cmd.kind == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("delete job db-migrate", Delete(resource="jobs", name="db-migrate")),
        ("delete cj/nightly", Delete(resource="cronjobs", name="nightly")),
        ("delete sts -l app=db", Delete(resource="statefulsets", selector="app=db")),
        ("delete daemonset agent", Delete(resource="daemonsets", name="agent")),
    ],
)
def test_delete_takes_the_workloads(text: str, expected: Delete) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "resource"),
    [
        ("describe sts postgres", "statefulsets"),
        ("describe ds/kindnet", "daemonsets"),
        ("describe job db-migrate", "jobs"),
        ("describe cronjobs", "cronjobs"),
    ],
)
def test_describe_takes_the_workloads(text: str, resource: str) -> None:
    cmd = parse(text)
    assert isinstance(cmd, Describe)
    assert cmd.resource == resource
