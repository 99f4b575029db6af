"""kubectl 1.32's Job, CronJob, StatefulSet and DaemonSet describers on the fields the demo
does not set (the side-by-side tests cover the common ones line for line)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.describe_workloads import (
    describe_cronjob,
    describe_daemonset,
    describe_job,
    describe_statefulset,
    pods_status,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TEMPLATE = {"spec": {"containers": [{"name": "w", "image": "busybox"}]}}


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_a_job_with_every_optional_field() -> None:
    job = {
        "metadata": {
            "name": "nightly-1",
            "namespace": "ops",
            "ownerReferences": [{"kind": "CronJob", "name": "nightly", "controller": True}],
        },
        "spec": {
            "completions": 5,
            "completionMode": "Indexed",
            "suspend": True,
            "ttlSecondsAfterFinished": 100,
            "activeDeadlineSeconds": 60,
            "selector": {},
            "template": TEMPLATE,
        },
        "status": {"startTime": "2026-12-01T11:00:00Z", "active": 2, "failed": 1},
    }
    text = lines(describe_job(job, None, NOW))
    assert "Selector: <none>" in text
    assert "Controlled By: CronJob/nightly" in text
    assert "Parallelism: 1" not in text
    assert "Completions: 5" in text
    assert "Suspend: true" in text
    assert "TTL Seconds After Finished: 100" in text
    assert "Active Deadline Seconds: 60s" in text
    assert "Start Time: Tue, 01 Dec 2026 11:00:00 +0000" in text
    assert not [line for line in text if line.startswith(("Completed At", "Duration"))]
    assert "Pods Statuses: 2 Active / 0 Succeeded / 1 Failed" in text
    assert "Completed Indexes: <none>" in text
    unset = lines(describe_job({**job, "spec": {"template": TEMPLATE}}, [], NOW))
    assert "Completions: <unset>" in unset
    assert unset[-1] == "Events: <none>"


def test_a_cronjob_with_active_jobs_and_set_limits() -> None:
    cronjob = {
        "metadata": {"name": "nightly", "namespace": "ops", "labels": {"team": "data"}},
        "spec": {
            "schedule": "0 2 * * *",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 300,
            "jobTemplate": {
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "parallelism": 2,
                    "completions": 4,
                    "activeDeadlineSeconds": 900,
                    "template": TEMPLATE,
                }
            },
        },
        "status": {"active": [{"name": "nightly-1"}, {"name": "nightly-2"}]},
    }
    text = lines(describe_cronjob(cronjob, None, NOW))
    assert "Suspend: <unset>" in text
    assert "Successful Job History Limit: <unset>" in text
    assert "Starting Deadline Seconds: 300s" in text
    assert "Selector: a=b" in text
    assert "Parallelism: 2" in text
    assert "Completions: 4" in text
    assert "Active Deadline Seconds: 900s" in text
    assert "Last Schedule Time: <unset>" in text
    assert text[-1] == "Active Jobs: nightly-1, nightly-2"


def test_sets_count_their_pods_by_phase() -> None:
    pods = [
        {"status": {"phase": p}} for p in ("Running", "Running", "Pending", "Failed", "Unknown")
    ]
    assert pods_status(pods) == "2 Running / 1 Waiting / 0 Succeeded / 1 Failed"
    assert pods_status(None) == "0 Running / 0 Waiting / 0 Succeeded / 0 Failed"
    sts = {
        "metadata": {
            "name": "db",
            "namespace": "prod",
            "creationTimestamp": "2026-12-01T10:00:00Z",
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "db"}},
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"partition": 1, "maxUnavailable": 2},
            },
            "template": TEMPLATE,
        },
        "status": {"replicas": 2},
    }
    text = lines(describe_statefulset(sts, pods, None, NOW))
    assert "Replicas: 3 desired | 2 total" in text
    assert "Partition: 1" in text
    assert "MaxUnavailable: 2" in text
    ds = {"metadata": {"name": "agent"}, "spec": {"selector": {}, "template": TEMPLATE}}
    text = lines(describe_daemonset(ds, [], [], NOW))
    assert text[:3] == ["Name: agent", "Selector: <none>", "Node-Selector: <none>"]
    assert "Number of Nodes Misscheduled: 0" in text
