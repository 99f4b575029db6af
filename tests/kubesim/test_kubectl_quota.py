"""ResourceQuota and LimitRange enforced as an apiserver enforces them, judged by kubectl.

A namespace per test: its quota counts what is created there (``kubectl describe quota`` shows
``status.used`` moving), a create over it is refused with the real 403 sentence, a LimitRange
fills in a pod's missing requests and limits and refuses one over its maximum, and a ReplicaSet
whose pods are refused says so in its events and conditions, then catches up once there is room.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.kubesim.kubectl import Judge, Kubectl, eventually

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="empty", speed=20.0)


@pytest.fixture
def namespace(kubectl: Kubectl) -> str:
    name = f"q-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", name)
    return name


def _quota(kubectl: Kubectl, namespace: str, hard: str) -> None:
    kubectl("create", "quota", "tiny", "-n", namespace, f"--hard={hard}")
    eventually(
        lambda: (
            "Used" in kubectl("describe", "quota", "tiny", "-n", namespace).stdout
            and kubectl(
                "get", "quota", "tiny", "-n", namespace, "-o", "jsonpath={.status.used}"
            ).stdout
        ),
        what="the quota controller's first count",
    )


def _run(kubectl: Kubectl, namespace: str, name: str, resources: dict[str, object]) -> list[str]:
    pod = {"spec": {"containers": [{"name": name, "image": "nginx", "resources": resources}]}}
    return [
        "run", name, "-n", namespace, "--image=nginx", f"--overrides={json.dumps(pod)}",
    ]  # fmt: skip


def _used(kubectl: Kubectl, namespace: str) -> dict[str, tuple[str, str]]:
    text = kubectl("describe", "quota", "tiny", "-n", namespace).stdout
    rows = text.split("--------", 2)[-1].splitlines()[1:]
    return {r.split()[0]: (r.split()[1], r.split()[2]) for r in rows if r.strip()}


def test_describe_quota_counts_what_is_created(kubectl: Kubectl, namespace: str) -> None:
    _quota(kubectl, namespace, "pods=4,requests.cpu=1,count/deployments.apps=2,configmaps=3")
    kubectl(*_run(kubectl, namespace, "a", {"requests": {"cpu": "250m"}}))
    kubectl("create", "configmap", "settings", "-n", namespace, "--from-literal=a=1")
    eventually(
        lambda: (
            _used(kubectl, namespace)
            == {
                "configmaps": ("1", "3"),
                "count/deployments.apps": ("0", "2"),
                "pods": ("1", "4"),
                "requests.cpu": ("250m", "1"),
            }
        ),
        what="the usage of one pod and one ConfigMap",
    )


def test_a_create_over_quota_is_refused_with_the_apiservers_sentence(
    kubectl: Kubectl, namespace: str
) -> None:
    _quota(kubectl, namespace, "pods=1,requests.cpu=1,count/deployments.apps=0")
    kubectl(*_run(kubectl, namespace, "first", {"requests": {"cpu": "600m"}}))
    refused = kubectl.fails(*_run(kubectl, namespace, "second", {"requests": {"cpu": "500m"}}))
    assert refused.stderr == (
        'Error from server (Forbidden): pods "second" is forbidden: exceeded quota: tiny, '
        "requested: pods=1,requests.cpu=500m, used: pods=1,requests.cpu=600m, "
        "limited: pods=1,requests.cpu=1\n"
    )
    unstated = kubectl.fails("run", "bare", "-n", namespace, "--image=nginx")
    assert unstated.stderr == (
        'Error from server (Forbidden): pods "bare" is forbidden: failed quota: tiny: '
        "must specify requests.cpu for: bare\n"
    )
    counted = kubectl.fails("create", "deployment", "web", "-n", namespace, "--image=nginx")
    assert counted.stderr == (
        'error: failed to create deployment: deployments.apps "web" is forbidden: '
        "exceeded quota: tiny, requested: count/deployments.apps=1, "
        "used: count/deployments.apps=0, limited: count/deployments.apps=0\n"
    )
    assert kubectl("get", "pods", "-n", namespace, "-o", "name").lines() == ["pod/first"]


def test_a_limit_range_defaults_and_bounds_containers(kubectl: Kubectl, namespace: str) -> None:
    kubectl.create(
        f"""\
apiVersion: v1
kind: LimitRange
metadata: {{name: bounds, namespace: {namespace}}}
spec:
  limits:
  - type: Container
    default: {{cpu: 300m, memory: 64Mi}}
    defaultRequest: {{cpu: 100m}}
    max: {{cpu: "1"}}
"""
    )
    kubectl("run", "plain", "-n", namespace, "--image=nginx")
    pod = json.loads(kubectl("get", "pod", "plain", "-n", namespace, "-o", "json").stdout)
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "300m", "memory": "64Mi"},
        "requests": {"cpu": "100m", "memory": "64Mi"},
    }
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu request for container plain; "
        "cpu, memory limit for container plain"
    )
    big = kubectl.fails(*_run(kubectl, namespace, "big", {"limits": {"cpu": "3"}}))
    assert big.stderr == (
        'Error from server (Forbidden): pods "big" is forbidden: '
        "maximum cpu usage per Container is 1, but limit is 3\n"
    )


def test_a_replica_set_over_quota_reports_failed_create(kubectl: Kubectl, namespace: str) -> None:
    _quota(kubectl, namespace, "pods=2")
    kubectl(*_run(kubectl, namespace, "squatter", {}))
    kubectl("create", "deployment", "web", "-n", namespace, "--image=nginx", "--replicas=2")
    eventually(
        lambda: "ReplicaFailure" in kubectl("describe", "rs", "-n", namespace).stdout,
        what="the ReplicaSet's failure condition",
    )
    described = kubectl("describe", "rs", "-n", namespace).stdout
    assert "  ReplicaFailure   True    FailedCreate" in described
    warning = next(line for line in described.splitlines() if "FailedCreate  " in line)
    assert 'Error creating: pods "web-' in warning
    assert warning.endswith(
        "is forbidden: exceeded quota: tiny, requested: pods=1, used: pods=2, limited: pods=2"
    )
    eventually(
        lambda: (
            "ReplicaFailure" in kubectl("describe", "deployment", "web", "-n", namespace).stdout
        ),
        what="the Deployment's failure condition",
    )
    status = kubectl.fails(
        "rollout", "status", "deployment/web", "-n", namespace, "--timeout=1s"
    ).stdout
    assert status.splitlines()[-1] == (
        'Waiting for deployment "web" rollout to finish: '
        "1 out of 2 new replicas have been updated..."
    )

    kubectl("delete", "pod", "squatter", "-n", namespace, "--wait=false")
    kubectl("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")
    eventually(
        lambda: "ReplicaFailure" not in kubectl("describe", "rs", "-n", namespace).stdout,
        what="the condition cleared once the pods fit",
    )


def test_a_stateful_set_over_quota_says_which_pod_failed(kubectl: Kubectl, namespace: str) -> None:
    _quota(kubectl, namespace, "pods=1")
    kubectl.create(
        f"""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: {namespace}}}
spec:
  serviceName: db
  replicas: 2
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers: [{{name: db, image: postgres:16.4}}]
"""
    )

    def failed() -> str:
        return kubectl(
            "get", "events", "-n", namespace, "--field-selector", "reason=FailedCreate",
            "-o", "jsonpath={.items[*].message}",
        ).stdout  # fmt: skip

    assert eventually(failed, what="the StatefulSet's FailedCreate").startswith(
        'create Pod db-1 in StatefulSet db failed error: pods "db-1" is forbidden: '
        "exceeded quota: tiny, requested: pods=1, used: pods=1, limited: pods=1"
    )
    assert kubectl("get", "pods", "-n", namespace, "-o", "name").lines() == ["pod/db-0"]
