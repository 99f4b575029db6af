"""``kubectl rollout pause|resume`` against the sandbox: the API stores ``spec.paused`` from
kubectl's strategic merge patch (and deletes it on ``paused: null``), so kubectl reads back the
state it set and refuses to pause twice or resume a running deployment, as on a real cluster."""

from __future__ import annotations

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, deployment_manifest, stored

pytestmark = pytest.mark.kubectl
JUDGE = Judge()

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"


def test_pause_then_resume(sandbox: Sandbox, kubectl: Kubectl) -> None:
    kubectl.create(deployment_manifest("paused", V1))
    assert kubectl("rollout", "pause", "deployment/paused").stdout == (
        "deployment.apps/paused paused\n"
    )
    deployment = stored(sandbox, "Deployment", "default", "paused")
    assert deployment is not None
    assert deployment["spec"]["paused"] is True
    jsonpath = kubectl("get", "deployment", "paused", "-o", "jsonpath={.spec.paused}")
    assert jsonpath.stdout == "true"
    assert kubectl("rollout", "resume", "deployments/paused").stdout == (
        "deployment.apps/paused resumed\n"
    )
    deployment = stored(sandbox, "Deployment", "default", "paused")
    assert deployment is not None
    assert "paused" not in deployment["spec"]


def test_pausing_twice_and_resuming_a_running_deployment_fail(kubectl: Kubectl) -> None:
    kubectl.create(deployment_manifest("twice", V1))
    kubectl("rollout", "pause", "deployment/twice")
    again = kubectl.fails("rollout", "pause", "deployment/twice")
    assert again.stderr == 'error: deployments.apps "twice" is already paused\n'
    kubectl("rollout", "resume", "deployment/twice")
    running = kubectl.fails("rollout", "resume", "deployment/twice")
    assert running.stderr == 'error: deployments.apps "twice" is not paused\n'


def test_pause_of_a_missing_deployment(kubectl: Kubectl) -> None:
    run = kubectl.fails("rollout", "pause", "deployment/absent")
    assert run.stderr == ('Error from server (NotFound): deployments.apps "absent" not found\n')
