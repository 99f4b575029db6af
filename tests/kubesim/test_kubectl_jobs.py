"""Jobs and CronJobs as kubectl sees them: completions, failures, schedules and manual runs.

The kubelet decides how a Job's container ends from its command (``exit N`` fails, ``sleep N``
takes N seconds, anything else succeeds), so each test says in its manifest what happens. A
CronJob's schedule is wall-clock time: rather than wait for a minute to pass, a test moves
``status.lastScheduleTime`` back, as if the controller had been down, and the controller starts
the most recent missed run as upstream's does.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, eventually, stored, stored_list

pytestmark = pytest.mark.kubectl
JUDGE = Judge()


def job(
    name: str, command: str, *, completions: int = 1, parallelism: int = 1, backoff: int = 6
) -> str:
    return f"""\
apiVersion: batch/v1
kind: Job
metadata: {{name: {name}}}
spec:
  completions: {completions}
  parallelism: {parallelism}
  backoffLimit: {backoff}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
        command: ["sh", "-c", "{command}"]
"""


def cronjob(name: str, schedule: str = "*/1 * * * *") -> str:
    return f"""\
apiVersion: batch/v1
kind: CronJob
metadata: {{name: {name}}}
spec:
  schedule: "{schedule}"
  jobTemplate:
    metadata: {{labels: {{cron: {name}}}}}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: work
            image: busybox:1.36
            command: ["sh", "-c", "echo done"]
"""


def condition(sandbox: Sandbox, name: str, kind: str) -> bool:
    found = stored(sandbox, "Job", "default", name)
    return any(
        c["type"] == kind and c["status"] == "True"
        for c in ((found or {}).get("status") or {}).get("conditions") or ()
    )


def test_a_job_runs_its_completions_with_its_parallelism(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    kubectl.create(job("batch3", "echo ok", completions=3, parallelism=2))
    kubectl("wait", "--for=condition=complete", "job/batch3", "--timeout=60s")
    pods = stored_list(sandbox, "Pod", "default", "job-name=batch3")
    assert len(pods) == 3
    assert {p["status"]["phase"] for p in pods} == {"Succeeded"}
    assert {p["metadata"]["labels"]["batch.kubernetes.io/job-name"] for p in pods} == {"batch3"}
    created = sorted(p["metadata"]["creationTimestamp"] for p in pods)
    assert created[0] == created[1]  # two at once, the third after one of them succeeded
    rows = kubectl("get", "jobs", "batch3", "-o", "wide").table()
    assert rows[0]["STATUS"] == "Complete"
    assert rows[0]["COMPLETIONS"] == "3/3"
    assert rows[0]["CONTAINERS"] == "work"
    assert re.fullmatch(r"batch\.kubernetes\.io/controller-uid=[0-9a-f-]{36}", rows[0]["SELECTOR"])
    statuses = kubectl("get", "pods", "-l", "job-name=batch3").table()
    assert {(r["READY"], r["STATUS"]) for r in statuses} == {("0/1", "Completed")}
    found = stored(sandbox, "Job", "default", "batch3")
    assert found is not None
    kinds = [c["type"] for c in found["status"]["conditions"]]
    assert kinds == ["SuccessCriteriaMet", "Complete"]
    assert found["status"]["succeeded"] == 3


def test_a_failing_job_stops_at_its_backoff_limit(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(job("doomed", "exit 3", backoff=1))
    eventually(lambda: condition(sandbox, "doomed", "Failed"), what="the Job failed")
    pods = stored_list(sandbox, "Pod", "default", "job-name=doomed")
    assert len(pods) == 2
    assert {p["status"]["phase"] for p in pods} == {"Failed"}
    codes = {p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] for p in pods}
    assert codes == {3}
    assert kubectl("get", "job", "doomed").table()[0]["STATUS"] == "Failed"
    events = kubectl(
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=doomed,type=Warning",
        "-o",
        "jsonpath={.items[*].reason}",
    ).stdout
    assert events == "BackoffLimitExceeded"
    assert kubectl("delete", "job", "doomed").stdout == 'job.batch "doomed" deleted\n'
    eventually(
        lambda: not stored_list(sandbox, "Pod", "default", "job-name=doomed"),
        what="the Job's pods collected",
    )


def test_create_job_from_a_cronjob(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(cronjob("nightly", "0 3 * * *"))
    run = kubectl("create", "job", "nightly-manual", "--from=cronjob/nightly")
    assert run.stdout == "job.batch/nightly-manual created\n"
    kubectl("wait", "--for=condition=complete", "job/nightly-manual", "--timeout=60s")
    created = stored(sandbox, "Job", "default", "nightly-manual")
    assert created is not None
    assert created["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert created["metadata"]["labels"] == {"cron": "nightly"}
    assert created["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    rows = kubectl("get", "cronjobs", "-o", "wide").table()
    row = next(r for r in rows if r["NAME"] == "nightly")
    assert (row["SCHEDULE"], row["TIMEZONE"], row["SUSPEND"], row["ACTIVE"]) == (
        "0 3 * * *",
        "<none>",
        "False",
        "0",
    )
    assert row["LAST SCHEDULE"] == "<none>"


def test_a_missed_schedule_starts_the_latest_run(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(cronjob("minutely"))
    before = datetime.now(UTC)
    back = (before - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    kubectl(
        "patch",
        "cronjob",
        "minutely",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps({"status": {"lastScheduleTime": back}}),
    )

    def started() -> list[str]:
        return [
            j["metadata"]["name"]
            for j in stored_list(sandbox, "Job", "default", "cron=minutely")
            if j["metadata"]["ownerReferences"][0]["name"] == "minutely"
        ]

    names = eventually(started, what="a Job for the missed minute")
    minute = int(before.timestamp()) // 60
    assert names[0] in (f"minutely-{minute}", f"minutely-{minute + 1}")
    kubectl("wait", "--for=condition=complete", f"job/{names[0]}", "--timeout=60s")
    cron = stored(sandbox, "CronJob", "default", "minutely")
    assert cron is not None
    assert cron["status"]["lastScheduleTime"] != back
    eventually(
        lambda: (
            "lastSuccessfulTime"
            in (stored(sandbox, "CronJob", "default", "minutely") or {}).get("status", {})
        ),
        what="the success noted",
    )
    assert kubectl("delete", "cronjob", "minutely").stdout == 'cronjob.batch "minutely" deleted\n'
    eventually(lambda: not started(), what="its Jobs collected")


def test_a_suspended_cronjob_starts_nothing_and_a_bad_schedule_is_refused(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    kubectl.create(
        cronjob("paused").replace("spec:\n  schedule", "spec:\n  suspend: true\n  schedule")
    )
    back = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    kubectl(
        "patch",
        "cronjob",
        "paused",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps({"status": {"lastScheduleTime": back}}),
    )
    kubectl.create(job("marker", "echo ok"))  # a write after the patch, to know it was seen
    kubectl("wait", "--for=condition=complete", "job/marker", "--timeout=60s")
    assert not stored_list(sandbox, "Job", "default", "cron=paused")
    assert kubectl("get", "cj", "paused").table()[0]["SUSPEND"] == "True"
    bad = kubectl.run("create", "-f", "-", stdin=cronjob("bad", "61 * * * *"))
    assert bad.code == 1
    assert bad.stderr == (
        'The CronJob "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": '
        "end of range (61) above maximum (59): 61\n"
    )


def test_a_bare_pod_runs_to_completion_only_when_its_command_ends(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    kubectl("run", "server", "--image=nginx:1.27", "--restart=Never")
    kubectl(
        "run",
        "task",
        "--image=busybox:1.36",
        "--restart=Never",
        "--",
        "sh",
        "-c",
        "sleep 4; exit 2",
    )

    def phase(name: str) -> str:
        return str(
            ((stored(sandbox, "Pod", "default", name) or {}).get("status") or {}).get("phase")
        )

    eventually(lambda: phase("task") == "Failed", what="the task pod failed")
    assert kubectl("get", "pod", "task").table()[0]["STATUS"] == "Error"
    assert phase("server") == "Running"
