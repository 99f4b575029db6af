"""The defaults of the apps/v1 and batch/v1 workloads (``pkg/apis/apps/v1/defaults.go``,
``pkg/apis/batch/v1/defaults.go``), and the selector the Job strategy generates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.admission.pod_defaults import pod_template
from kubesim.admission.service_defaults import sub_object

JSON = dict[str, Any]


def default_deployment(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    strategy = sub_object(spec, "strategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = sub_object(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    pod_template(spec)


def default_replica_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    pod_template(spec)


def default_stateful_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_StatefulSet`` (apps/v1, v1.32)."""
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = sub_object(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        sub_object(strategy, "rollingUpdate").setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = sub_object(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            claim_spec = sub_object(claim, "spec")
            claim_spec.setdefault("volumeMode", "Filesystem")
            sub_object(claim, "status").setdefault("phase", "Pending")
    pod_template(spec)


def default_daemon_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_DaemonSet``: RollingUpdate with maxUnavailable 1 and maxSurge 0."""
    spec = sub_object(obj, "spec")
    strategy = sub_object(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = sub_object(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    pod_template(spec)


def _job_spec(spec: JSON) -> None:
    """``SetDefaults_Job`` on a Job's spec (a CronJob's jobTemplate is not defaulted so)."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if not spec.get("podFailurePolicy"):
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    if spec.get("manualSelector") is None:
        spec.pop("manualSelector", None)


def default_job(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    _job_spec(spec)
    pod_template(spec)


def default_cron_job(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_CronJob``."""
    spec = sub_object(obj, "spec")
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = sub_object(spec, "jobTemplate")
    sub_object(job_template, "metadata").setdefault("creationTimestamp", None)
    pod_template(sub_object(job_template, "spec"))


def job_selector(job: JSON) -> None:
    """The Job strategy's ``generateSelector``, once the uid is known: the selector and the
    template labels that tie a Job to its pods (unless ``manualSelector`` is set)."""
    spec = sub_object(job, "spec")
    if spec.get("manualSelector"):
        return
    uid = str(job.get("metadata", {}).get("uid", ""))
    labels = sub_object(sub_object(sub_object(spec, "template"), "metadata"), "labels")
    name = str(job.get("metadata", {}).get("name", ""))
    labels.setdefault("batch.kubernetes.io/controller-uid", uid)
    labels.setdefault("batch.kubernetes.io/job-name", name)
    labels.setdefault("controller-uid", uid)
    labels.setdefault("job-name", name)
    if not spec.get("selector"):
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
