"""Validation of batch/v1 Jobs and CronJobs: their pod templates, counts and schedules."""

from __future__ import annotations

from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.admission.pod_validation import validate_pod_spec
from kubesim.admission.workload_validation import selector_immutable
from kubesim.api.cron import cron_problem
from kubesim.api.status import Cause

JSON = dict[str, Any]


def _job_template(spec: JSON, path: str) -> list[Cause]:
    """A Job's pod template: any selector, and restartPolicy OnFailure or Never."""
    template = spec.get("template")
    if not isinstance(template, dict):
        return [f.required(f"{path}.template")]
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    causes = n.labels(f"{path}.template.metadata.labels", (meta or {}).get("labels"))
    pod_spec = template.get("spec")
    causes.extend(validate_pod_spec(pod_spec, f"{path}.template.spec"))
    policy = pod_spec.get("restartPolicy") if isinstance(pod_spec, dict) else None
    if policy not in ("OnFailure", "Never"):
        causes.append(
            f.not_supported(f"{path}.template.spec.restartPolicy", policy, ["OnFailure", "Never"])
        )
    return causes


def _job_spec(spec: JSON, path: str) -> list[Cause]:
    causes = n.nonnegative(f"{path}.parallelism", spec.get("parallelism"))
    causes.extend(n.nonnegative(f"{path}.completions", spec.get("completions")))
    causes.extend(n.nonnegative(f"{path}.backoffLimit", spec.get("backoffLimit")))
    causes.extend(_job_template(spec, path))
    return causes


def validate_job(obj: JSON, old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = _job_spec(spec, "spec")
    causes.extend(selector_immutable(spec, old))
    return causes


def validate_cron_job(obj: JSON, _old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    schedule = spec.get("schedule")
    causes: list[Cause] = []
    if not schedule:
        causes.append(f.required("spec.schedule"))
    else:
        problem = cron_problem(str(schedule))
        if problem:
            causes.append(f.invalid("spec.schedule", schedule, problem))
    policy = spec.get("concurrencyPolicy")
    if policy not in ("Allow", "Forbid", "Replace"):
        causes.append(
            f.not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"])
        )
    job = (spec.get("jobTemplate") or {}).get("spec")
    if not isinstance(job, dict):
        causes.append(f.required("spec.jobTemplate.spec"))
    else:
        causes.extend(_job_spec(job, "spec.jobTemplate.spec"))
    return causes
