"""What goes wrong, as kubectl shows it: a rollout stuck on a missing image, NotFound, refusals.

kubectl builds most error text itself from the server's ``Status`` (reason, code, details), so
these pin both the sandbox's Status objects and the controller/kubelet failure states that
``get pods`` and ``rollout status`` read. Discovery sanity lives here too: every command starts
with it, and a broken answer breaks every command.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import (
    Judge,
    Kubectl,
    deployment_manifest,
    eventually,
    require_kubectl,
    stored,
    stored_list,
)

pytestmark = pytest.mark.kubectl
JUDGE = Judge()

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
MISSING = "gcr.io/google-samples/kubernetes-bootcamp:doesnotexist"
PULL_ERRORS = {"ErrImagePull", "ImagePullBackOff"}


def deploy(kubectl: Kubectl, name: str, *, replicas: int = 1, deadline: int | None = None) -> None:
    kubectl.create(deployment_manifest(name, V1, replicas=replicas, progress_deadline=deadline))
    run = kubectl("rollout", "status", f"deployment/{name}", "--timeout=60s")
    assert run.lines()[-1] == f'deployment "{name}" successfully rolled out'


def test_missing_image_exceeds_the_progress_deadline(sandbox: Sandbox, kubectl: Kubectl) -> None:
    # 60 s is 6 s at the sandbox's speed: time for kubectl to start and print a line first.
    deploy(kubectl, "broken", replicas=2, deadline=60)
    kubectl("set", "image", "deployments/broken", f"broken={MISSING}")
    run = kubectl.fails("rollout", "status", "deployment/broken", "--timeout=60s")
    assert run.stderr == 'error: deployment "broken" exceeded its progress deadline\n'
    waiting = (
        'Waiting for deployment "broken" rollout to finish: {} out of 2 new replicas have been'
    )
    assert run.lines()[-1] == f"{waiting.format(1)} updated...", str(run)
    earlier = {f"{waiting.format(n)} updated..." for n in (0, 1)}
    earlier.add("Waiting for deployment spec update to be observed...")
    assert set(run.lines()) <= earlier, str(run)

    deployment = stored(sandbox, "Deployment", "default", "broken")
    assert deployment is not None
    (progressing,) = [c for c in deployment["status"]["conditions"] if c["type"] == "Progressing"]
    new_rs = next(
        rs
        for rs in stored_list(sandbox, "ReplicaSet", "default", "app=broken")
        if rs["spec"]["template"]["spec"]["containers"][0]["image"] == MISSING
    )
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"] == (
        f'ReplicaSet "{new_rs["metadata"]["name"]}" has timed out progressing.'
    )
    status = deployment["status"]
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"]) == (3, 1, 2)

    rows = kubectl("get", "pods", "-l", "app=broken").table()
    stuck = [r for r in rows if r["NAME"].startswith(new_rs["metadata"]["name"])]
    serving = [r for r in rows if r not in stuck]
    assert len(stuck) == 1
    assert stuck[0]["STATUS"] in PULL_ERRORS
    assert stuck[0]["READY"] == "0/1"
    assert [(r["READY"], r["STATUS"]) for r in serving] == [("1/1", "Running")] * 2

    described = kubectl("describe", "deployment", "broken").stdout
    assert re.search(r"^\s+Progressing\s+False\s+ProgressDeadlineExceeded$", described, re.M)
    assert re.search(
        r"^Replicas:\s+2 desired \| 1 updated \| 3 total \| 2 available", described, re.M
    )
    pod = kubectl("describe", "pod", stuck[0]["NAME"]).stdout
    assert re.search(r"^\s+State:\s+Waiting$", pod, re.M)
    assert re.search(r"^\s+Reason:\s+(ErrImagePull|ImagePullBackOff)$", pod, re.M)
    assert re.search(rf'Warning\s+Failed\s+.*Failed to pull image "{re.escape(MISSING)}"', pod)

    once = kubectl.fails("rollout", "status", "deployment/broken", "--watch=false")
    assert once.stderr == 'error: deployment "broken" exceeded its progress deadline\n'

    # the tutorial's way out: undo to the working revision
    undo = kubectl("rollout", "undo", "deployment/broken")
    assert undo.stdout == "deployment.apps/broken rolled back\n"
    done = kubectl("rollout", "status", "deployment/broken", "--timeout=60s")
    assert done.lines()[-1] == 'deployment "broken" successfully rolled out'
    deployment = stored(sandbox, "Deployment", "default", "broken")
    assert deployment is not None
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == V1


def test_get_missing_pod_is_not_found(kubectl: Kubectl) -> None:
    run = kubectl.fails("get", "pod", "NOPE")
    assert run.stdout == ""
    assert run.stderr == 'Error from server (NotFound): pods "NOPE" not found\n'


@pytest.mark.parametrize(
    "args",
    [
        ("describe", "deployment", "NOPE"),
        ("get", "deploy", "NOPE", "-o", "yaml"),
        ("delete", "deployment", "NOPE"),
        ("rollout", "undo", "deployment/NOPE"),
        ("rollout", "status", "deployment/NOPE", "--timeout=5s"),
    ],
)
def test_missing_deployment_is_not_found(kubectl: Kubectl, args: tuple[str, ...]) -> None:
    run = kubectl.fails(*args)
    assert run.stderr == 'Error from server (NotFound): deployments.apps "NOPE" not found\n'


def test_logs_of_a_missing_pod(kubectl: Kubectl) -> None:
    run = kubectl.fails("logs", "NOPE")
    assert run.stderr == (
        'error: error from server (NotFound): pods "NOPE" not found in namespace "default"\n'
    )


def test_negative_replicas_are_refused_before_any_request(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    deploy(kubectl, "steady")
    run = kubectl.fails("scale", "deployments/steady", "--replicas=-1")
    assert run.stderr == (
        "error: The --replicas=COUNT flag is required, "
        "and COUNT must be greater than or equal to 0\n"
    )
    deployment = stored(sandbox, "Deployment", "default", "steady")
    assert deployment is not None
    assert deployment["spec"]["replicas"] == 1
    assert deployment["metadata"]["generation"] == 1


def test_unknown_resource_type(kubectl: Kubectl) -> None:
    run = kubectl.fails("get", "foo")
    assert run.stderr == 'error: the server doesn\'t have a resource type "foo"\n'


def test_set_image_of_an_unknown_container(kubectl: Kubectl) -> None:
    deploy(kubectl, "single")
    run = kubectl.fails("set", "image", "deployment/single", "nope=nginx:1.27")
    assert run.stderr == 'error: unable to find container named "nope"\n'


def test_undo_without_history_and_to_unknown_revisions(kubectl: Kubectl) -> None:
    deploy(kubectl, "fresh")
    none = kubectl.fails("rollout", "undo", "deployment/fresh")
    assert none.stderr == 'error: no rollout history found for deployment "fresh"\n'
    unknown = kubectl.fails("rollout", "undo", "deployment/fresh", "--to-revision=9")
    assert unknown.stderr == "error: unable to find specified revision 9 in history\n"
    detail = kubectl.fails("rollout", "history", "deployment/fresh", "--revision=9")
    assert detail.stderr == "error: unable to find the specified revision\n"


def test_creating_twice_is_already_exists(kubectl: Kubectl) -> None:
    manifest = deployment_manifest("twice", V1)
    kubectl.create(manifest)
    run = kubectl.run("create", "-f", "-", stdin=manifest)
    assert run.code == 1
    assert run.stderr == (
        'Error from server (AlreadyExists): error when creating "STDIN": '
        'deployments.apps "twice" already exists\n'
    )


def test_invalid_deployment_lists_every_cause(sandbox: Sandbox, kubectl: Kubectl) -> None:
    manifest = deployment_manifest("invalid", V1).replace("replicas: 1", "replicas: -1")
    run = kubectl.run("create", "-f", "-", stdin=manifest)
    assert run.code == 1
    assert run.stderr == (
        'The Deployment "invalid" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0\n"
    )
    assert stored(sandbox, "Deployment", "default", "invalid") is None


def test_discovery_documents(kubectl: Kubectl) -> None:
    api = json.loads(kubectl("get", "--raw", "/api").stdout)
    assert api["kind"] == "APIVersions"
    assert api["versions"] == ["v1"]
    groups = json.loads(kubectl("get", "--raw", "/apis").stdout)
    assert groups["kind"] == "APIGroupList"
    apps = next(g for g in groups["groups"] if g["name"] == "apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    core = json.loads(kubectl("get", "--raw", "/api/v1").stdout)
    assert core["kind"] == "APIResourceList"
    assert core["groupVersion"] == "v1"
    names = {r["name"] for r in core["resources"]}
    assert {"pods", "pods/log", "pods/status", "services", "nodes", "events"} <= names
    assert {"apps/v1", "v1"} <= set(kubectl("api-versions").lines())


def test_api_resources_lists_short_names(kubectl: Kubectl) -> None:
    run = kubectl("api-resources")
    assert run.header() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    metrics = [r for r in run.table() if r["APIVERSION"] == "metrics.k8s.io/v1beta1"]
    assert [(r["NAME"], r["NAMESPACED"], r["KIND"]) for r in metrics] == [
        ("nodes", "false", "NodeMetrics"),
        ("pods", "true", "PodMetrics"),
    ]  # as metrics-server's group lists them
    rows = {r["NAME"]: r for r in run.table() if r not in metrics}
    expected = {
        "pods": ("po", "v1", "true", "Pod"),
        "services": ("svc", "v1", "true", "Service"),
        "nodes": ("no", "v1", "false", "Node"),
        "namespaces": ("ns", "v1", "false", "Namespace"),
        "events": ("ev", "v1", "true", "Event"),
        "deployments": ("deploy", "apps/v1", "true", "Deployment"),
        "replicasets": ("rs", "apps/v1", "true", "ReplicaSet"),
        "endpointslices": ("", "discovery.k8s.io/v1", "true", "EndpointSlice"),
    }
    for name, (short, version, namespaced, kind) in expected.items():
        row = rows[name]
        assert (row["SHORTNAMES"], row["APIVERSION"], row["NAMESPACED"], row["KIND"]) == (
            short,
            version,
            namespaced,
            kind,
        ), name
    by_short_names = kubectl("get", "deploy,rs,po,svc", "-l", "app=nothing")
    assert by_short_names.stderr == "No resources found in default namespace.\n"


def test_a_missing_kubectl_fails_on_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the kubectl judge"):
        require_kubectl()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="kubectl binary is not on PATH"):
        require_kubectl()


def pod_manifest(name: str, image: str) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: {image}
"""


def pod_status(kubectl: Kubectl, name: str) -> str:
    return kubectl("get", "pod", name, "-o", "jsonpath={.status.containerStatuses[0].state}")


def test_logs_of_a_crash_looping_container_are_its_last_crash(kubectl: Kubectl) -> None:
    kubectl.create(pod_manifest("crasher", "registry.example/crash:1"))

    def in_back_off() -> str | None:
        state = kubectl("get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0]}")
        return state.stdout if "CrashLoopBackOff" in state.stdout else None

    def logs_while_backing_off() -> tuple[str, str] | None:
        before = in_back_off()
        current, previous = kubectl.run("logs", "crasher"), kubectl.run("logs", "crasher", "-p")
        if before is None or in_back_off() != before:
            return None  # it restarted in between: look again
        return current.stdout or current.stderr, previous.stdout

    current, previous = eventually(logs_while_backing_off, what="logs during a back-off")
    assert current == previous
    assert "FATAL [app] unrecoverable error" in current.splitlines()[-1]


def test_logs_of_a_container_that_never_pulled(kubectl: Kubectl) -> None:
    kubectl.create(pod_manifest("nopull", MISSING))

    def refused() -> str | None:
        if "ImagePullBackOff" not in pod_status(kubectl, "nopull").stdout:
            return None
        run = kubectl.run("logs", "nopull")
        return run.stderr if "trying and failing" in run.stderr else None

    stderr = eventually(refused, what="logs refused in ImagePullBackOff")
    assert stderr == (
        'Error from server (BadRequest): container "app" in pod "nopull" is waiting to start: '
        "trying and failing to pull image\n"
    )


def test_the_tutorials_missing_tag_fails_to_pull_as_it_does_for_real(kubectl: Kubectl) -> None:
    deploy(kubectl, "bootcamp")
    kubectl("set", "image", "deployments/bootcamp", f"bootcamp={V1.replace(':v1', ':v10')}")

    def stuck() -> dict[str, str] | None:
        rows = kubectl("get", "pods", "-l", "app=bootcamp").table()
        return next((r for r in rows if r["STATUS"] in PULL_ERRORS), None)

    pod = eventually(stuck, what="the v10 pod failing to pull")
    described = kubectl("describe", "pod", pod["NAME"]).stdout
    ref = "gcr.io/google-samples/kubernetes-bootcamp:v10"
    assert f'Failed to pull image "{ref}": rpc error: code = NotFound desc = ' in described
    assert f"{ref}: not found" in described
    undo = kubectl("rollout", "undo", "deployment/bootcamp")
    assert undo.stdout == "deployment.apps/bootcamp rolled back\n"
    kubectl("set", "image", "deployments/bootcamp", f"bootcamp={V1.replace(':v1', ':v2')}")
    done = kubectl("rollout", "status", "deployment/bootcamp", "--timeout=60s")
    assert done.lines()[-1] == 'deployment "bootcamp" successfully rolled out'
