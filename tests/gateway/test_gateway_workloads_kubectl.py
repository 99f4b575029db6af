"""The bot beside kubectl v1.32 for StatefulSets, DaemonSets, Jobs and CronJobs: same text.

Reads are compared on the demo (its postgres StatefulSet, kube-system DaemonSets, nightly
CronJob and finished Jobs); the rollout and scale commands run on a sandbox of their own with
its controllers, and each is checked against what kubectl prints and sends for the same step.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from bot.gateway.gateway import KubernetesGateway
from kubesim.api.resources import by_kind
from kubesim.testing.harness import running_sandbox
from tests.ci import require_kubectl
from tests.gateway.support import OPTIONS
from tests.gateway.test_gateway_kubectl import Judge
from tests.kubesim.kubectl import eventually, stored, stored_list

pytestmark = pytest.mark.kubectl


@pytest.fixture(scope="module")
def still() -> Iterator[Judge]:
    """The demo without controllers: nothing moves between the bot's and kubectl's reads."""
    binary = require_kubectl()
    with (
        running_sandbox(scenario="demo", controllers=False) as sandbox,
        tempfile.TemporaryDirectory(prefix="kubectl-home-") as home,
    ):
        gateway = KubernetesGateway(sandbox.api_client(), options=OPTIONS)
        yield Judge(sandbox, gateway, binary, home)
        gateway.close()


@pytest.fixture(scope="module")
def live() -> Iterator[Judge]:
    """The demo with its controllers, for commands whose answer depends on what they do."""
    binary = require_kubectl()
    with (
        running_sandbox(scenario="demo", speed=50.0) as sandbox,
        tempfile.TemporaryDirectory(prefix="kubectl-home-") as home,
    ):
        gateway = KubernetesGateway(sandbox.api_client(), options=OPTIONS)
        yield Judge(sandbox, gateway, binary, home)
        gateway.close()


@pytest.mark.parametrize(
    "text",
    [
        "describe statefulset postgres -n prod",
        "describe sts -n prod",
        "describe daemonset kindnet -n kube-system",
        "describe ds/kube-proxy -n kube-system",
        "describe job db-migrate -n prod",
        "describe jobs -n prod",
        "describe cronjob db-backup -n prod",
        "rollout status statefulset/postgres -n prod",
        "rollout status daemonset/kindnet -n kube-system",
        "rollout history statefulset/postgres -n prod",
        "rollout history ds/kube-proxy -n kube-system",
    ],
)
def test_documents_match_kubectl(still: Judge, text: str) -> None:
    still.compare(text)


@pytest.mark.parametrize(
    "text",
    [
        "get statefulsets -A",
        "get sts -n prod -o wide",
        "get daemonsets -A -o wide",
        "get jobs -A -o wide",
        "get cronjobs -A -o wide",
        "get controllerrevisions -A",
        "get all -n prod",
        "get sts postgres -n prod -o yaml",
        "get cj -n prod -o name",
    ],
)
def test_get_matches_kubectl(still: Judge, text: str) -> None:
    still.compare(text)


def _template_image(judge: Judge, kind: str, namespace: str, name: str) -> str:
    obj = stored(judge.sandbox, kind, namespace, name) or {}
    image: str = obj["spec"]["template"]["spec"]["containers"][0]["image"]
    return image


def _settled(judge: Judge, kind: str, namespace: str, name: str) -> None:
    """Wait for the controller to observe the set's last change and finish rolling it out."""

    def done() -> bool:
        obj = stored(judge.sandbox, kind, namespace, name) or {}
        status = obj.get("status") or {}
        if status.get("observedGeneration") != obj.get("metadata", {}).get("generation"):
            return False
        if kind == "StatefulSet":
            return bool(status.get("updateRevision") == status.get("currentRevision"))
        return bool(status.get("updatedNumberScheduled") == status.get("desiredNumberScheduled"))

    eventually(done, what=f"{kind} {name} settled", timeout=60)


def _patches(judge: Judge, mark: int) -> list[tuple[str, str, str, Any]]:
    return [
        (r.method, r.path, r.content_type, r.body)
        for r in judge.sandbox.requests.all()[mark:]
        if r.method in ("PATCH", "PUT", "POST", "DELETE")
    ]


@pytest.mark.parametrize(
    ("workload", "images"),
    [
        (("StatefulSet", "prod", "postgres", "postgres"), ("postgres:16.4", "postgres:17.2")),
        (
            ("DaemonSet", "kube-system", "kindnet", "kindnet"),
            ("docker.io/kindest/kindnetd:v20241212-9f82dd49", "docker.io/kindest/kindnetd:v2"),
        ),
    ],
)
def test_undo_prints_and_sends_what_kubectl_does(
    live: Judge, workload: tuple[str, str, str, str], images: tuple[str, str]
) -> None:
    """kubectl and the bot take turns undoing: each step prints the same line and sends the
    same strategic merge patch (the revision's data), and the template flips back and forth."""
    kind, namespace, name, container = workload
    ref = f"{kind.lower()}/{name}"
    first, second = images
    live.kubectl(f"set image {ref} {container}={second} -n {namespace}")
    _settled(live, kind, namespace, name)
    sent: list[list[tuple[str, str, str, Any]]] = []
    for step, (by_kubectl, image) in enumerate(
        [(True, first), (False, second), (True, first), (False, second)]
    ):
        text = f"rollout undo {ref} -n {namespace}"
        mark = len(live.sandbox.requests)
        line = live.kubectl(text) if by_kubectl else live.bot(text) + "\n"
        assert line == f"{kind.lower()}.apps/{name} rolled back\n", step
        sent.append(_patches(live, mark))
        assert _template_image(live, kind, namespace, name) == image
        _settled(live, kind, namespace, name)
    assert sent[0] == sent[2]
    assert sent[1] == sent[3]
    assert sent[0][0][2] == "application/strategic-merge-patch+json"
    to = live.kubectl(f"rollout history {ref} -n {namespace}").split()[-2]
    for by_kubectl in (True, False):
        text = f"rollout undo {ref} -n {namespace} --to-revision={to}"
        line = live.kubectl(text) if by_kubectl else live.bot(text) + "\n"
        assert line == (
            f"{kind.lower()}.apps/{name} skipped rollback (current template already matches "
            f"revision {to})\n"
        )


def test_restart_and_scale_of_a_statefulset(live: Judge) -> None:
    assert live.bot("rollout restart statefulset/postgres -n prod") == (
        "statefulset.apps/postgres restarted"
    )
    _settled(live, "StatefulSet", "prod", "postgres")
    sts = stored(live.sandbox, "StatefulSet", "prod", "postgres") or {}
    annotations = sts["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    status = live.bot("rollout status sts/postgres -n prod").splitlines()
    assert status[-1] == live.kubectl("rollout status sts/postgres -n prod").splitlines()[-1]
    mark = len(live.sandbox.requests)
    assert live.bot("scale sts/postgres --replicas=2 -n prod") == "statefulset.apps/postgres scaled"
    bot_writes = _patches(live, mark)
    mark = len(live.sandbox.requests)
    assert live.kubectl("scale sts/postgres --replicas=2 -n prod") == (
        "statefulset.apps/postgres scaled\n"
    )
    assert _patches(live, mark) == bot_writes
    eventually(
        lambda: stored(live.sandbox, "Pod", "prod", "postgres-2") is None,
        what="postgres-2 removed",
    )
    live.kubectl("scale sts/postgres --replicas=3 -n prod")


def test_pause_of_a_set_is_refused_as_kubectl_refuses_it(live: Judge) -> None:
    with pytest.raises(Exception, match=r'statefulsets\.apps "postgres" pausing is not supported'):
        live.bot("rollout pause statefulset/postgres -n prod")
    with pytest.raises(Exception, match=r'daemonsets\.apps "kindnet" resuming is not supported'):
        live.bot("rollout resume ds/kindnet -n kube-system")


def logged_on(theirs: str, ours: str) -> bool:
    """Whether ``ours``, read after ``theirs``, ends with its lines, less the oldest for each
    line the container logged in between (a running container logs every few seconds, and
    ``--tail`` keeps the newest)."""
    their, our = theirs.splitlines(), ours.splitlines()
    return any(
        our[-len(their) : len(our) - new] == their[new:] for new in range(min(4, len(their)))
    )


def test_logs_of_a_workload_pick_the_pod_kubectl_picks(still: Judge) -> None:
    for text in (
        "logs sts/postgres -n prod",
        "logs job/db-migrate -n prod",
        "logs ds/kindnet -n kube-system",
    ):
        theirs = still.kubectl(text + " --tail=200")
        assert theirs.strip()
        assert logged_on(theirs, still.bot(text + " --tail=200")), text


def test_delete_of_a_job_prints_what_kubectl_prints(live: Judge) -> None:
    live.kubectl("create job once --from=cronjob/db-backup -n prod")
    assert live.bot("delete job once -n prod") == 'job.batch "once" deleted'
    assert stored(live.sandbox, "Job", "prod", "once") is None
    eventually(
        lambda: not stored_list(live.sandbox, "Pod", "prod", "job-name=once"),
        what="its pod collected",
    )
    live.kubectl("create job twice --from=cronjob/db-backup -n prod")
    assert live.kubectl("delete job twice -n prod") == 'job.batch "twice" deleted\n'


def test_describe_of_volume_claim_templates_matches_kubectl(live: Judge) -> None:
    manifest = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: claims, namespace: default, annotations: {team: data}}
spec:
  replicas: 1
  selector: {matchLabels: {app: claims}}
  template:
    metadata: {labels: {app: claims}}
    spec:
      containers: [{name: db, image: "postgres:16"}]
  volumeClaimTemplates:
  - metadata: {name: data, labels: {tier: db}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: standard
      resources: {requests: {storage: 1Gi}}
"""
    live.sandbox.call(live.sandbox.store.create, by_kind("StatefulSet"), yaml.safe_load(manifest))
    _settled(live, "StatefulSet", "default", "claims")
    live.compare("describe statefulset claims")
    pod = stored(live.sandbox, "Pod", "default", "claims-0") or {}
    assert pod["spec"]["volumes"][0] == {
        "name": "data",
        "persistentVolumeClaim": {"claimName": "data-claims-0"},
    }
