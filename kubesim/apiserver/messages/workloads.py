"""apps/v1 and batch/v1: the Deployments, Jobs and CronJobs kubectl's generators create."""

from __future__ import annotations

from kubesim.apiserver.messages.field import Field
from kubesim.apiserver.messages.field import field as _f

MESSAGES: dict[str, dict[int, Field]] = {
    "Deployment": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "DeploymentSpec"),
        3: _f("status", "Empty"),
    },
    "DeploymentSpec": {
        1: _f("replicas", "int", pointer=True),
        2: _f("selector", "LabelSelector"),
        3: _f("template", "PodTemplateSpec"),
        4: _f("strategy", "DeploymentStrategy"),
        5: _f("minReadySeconds", "int"),
        6: _f("revisionHistoryLimit", "int", pointer=True),
        7: _f("paused", "bool"),
        9: _f("progressDeadlineSeconds", "int", pointer=True),
    },
    "DeploymentStrategy": {1: _f("type"), 2: _f("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: _f("maxUnavailable", "intstr"), 2: _f("maxSurge", "intstr")},
    # batch/v1: what kubectl create job (--from=cronjob/NAME too) sends
    "Job": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "JobSpec"), 3: _f("status", "Empty")},
    "JobSpec": {
        1: _f("parallelism", "int", pointer=True),
        2: _f("completions", "int", pointer=True),
        3: _f("activeDeadlineSeconds", "int", pointer=True),
        4: _f("selector", "LabelSelector"),
        5: _f("manualSelector", "bool", pointer=True),
        6: _f("template", "PodTemplateSpec"),
        7: _f("backoffLimit", "int", pointer=True),
        8: _f("ttlSecondsAfterFinished", "int", pointer=True),
        9: _f("completionMode", pointer=True),
        10: _f("suspend", "bool", pointer=True),
        14: _f("podReplacementPolicy", pointer=True),
    },
    # what kubectl create cronjob sends (batch/v1 generated.proto: timeZone is field 8)
    "CronJob": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "CronJobSpec"),
        3: _f("status", "Empty"),
    },
    "CronJobSpec": {
        1: _f("schedule"),
        2: _f("startingDeadlineSeconds", "int", pointer=True),
        3: _f("concurrencyPolicy"),
        4: _f("suspend", "bool", pointer=True),
        5: _f("jobTemplate", "JobTemplateSpec"),
        6: _f("successfulJobsHistoryLimit", "int", pointer=True),
        7: _f("failedJobsHistoryLimit", "int", pointer=True),
        8: _f("timeZone", pointer=True),
    },
    "JobTemplateSpec": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "JobSpec")},
}
