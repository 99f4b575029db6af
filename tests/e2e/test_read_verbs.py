"""Read-only verbs end to end: Slack → the app → ChatOps → the gateway → the cluster, and back.

Every test runs once per transport (HTTP mode and Socket Mode), on the sandbox and, in
``make test-cluster``, on any cluster, against Deployments this module creates in the run's
namespace. Replies to read-only commands are ephemeral, through the response_url.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from kubernetes import client

from tests.e2e.target import AnyStack, Target, images, shell_image
from tests.fakeslack import ALICE, BOB

LOGGED = 3
"""Lines each api pod has printed before the tests start (more than any ``--tail`` here)."""


@pytest.fixture(scope="module")
def seeded(any_stack: AnyStack) -> Target:
    """Deployments api (3 replicas, container api, logging) and worker (2) beside web."""
    target = any_stack.target
    lines = "; ".join(f"echo line {n}" for n in range(1, 9))
    target.deployment(
        "api", replicas=3, image=shell_image(), command=["sh", "-c", f"{lines}; sleep 86400"]
    )
    target.deployment("worker", replicas=2)

    def logged() -> bool:
        return all(
            len(
                target.core.read_namespaced_pod_log(pod, target.namespace, _preload_content=False)
                .data.decode()
                .splitlines()
            )
            >= LOGGED
            for pod in target.pods("app=api")
        )

    target.wait(logged, what="the api pods' log lines")
    return target


def test_version(any_stack: AnyStack) -> None:
    mark = any_stack.mark()
    reply = any_stack.run("version")
    assert reply.ephemeral
    assert "Client Version: k8s-chatops" in reply.text
    server = client.VersionApi(any_stack.target.client).get_code().git_version
    assert f"Server Version: {server}" in reply.text
    if (sent := any_stack.sent_since(mark)) is not None:
        assert [r.path for r in sent if r.path == "/version"] == ["/version"]


def test_get_pods_in_all_namespaces(any_stack: AnyStack, target: Target) -> None:
    shared = len(any_stack.fake.files)
    reply = any_stack.run("get pods -A")
    assert reply.ephemeral
    assert re.search(r"NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", reply.text)
    listing = reply.text
    if "(pods.txt)" in reply.text:  # a busy cluster's list is long: the whole list is the file
        (attached,) = any_stack.fake.wait_for(
            lambda: [f for f in any_stack.fake.files[shared:] if f.filename == "pods.txt"],
            what="the attached list",
        )
        listing = attached.content.decode()
    for name in target.pods("app=web"):
        assert re.search(rf"^{target.namespace}\s+{name}\s", listing, re.MULTILINE)
    system = target.core.list_namespaced_pod("kube-system").items
    for pod in system:
        if pod.metadata.deletion_timestamp is None and pod.status.phase == "Running":
            assert pod.metadata.name in listing


def test_get_deployments(any_stack: AnyStack, seeded: Target) -> None:
    reply = any_stack.run(f"get deployments -n {seeded.namespace}")
    assert re.search(r"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", reply.text)
    for name, ready in (("api", "3/3"), ("web", r"\d+/2"), ("worker", "2/2")):
        assert re.search(rf"^{name}\s+{ready}\s", reply.text, re.MULTILINE), reply.text


def test_get_pods_wide(any_stack: AnyStack, seeded: Target) -> None:
    reply = any_stack.run("get pods -o wide")
    assert re.search(r"IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES", reply.text)
    name = seeded.pods("app=api")[0]
    node = seeded.core.read_namespaced_pod(name, seeded.namespace).spec.node_name
    assert re.search(rf"^{name}\s.*\s{node}\s", reply.text, re.MULTILINE)


def test_get_one_deployment_as_yaml(any_stack: AnyStack, seeded: Target) -> None:
    reply = any_stack.run(f"get deployment worker -n {seeded.namespace} -o yaml")
    assert re.search(r"^apiVersion: apps/v1\nkind: Deployment$", reply.text, re.MULTILINE)
    assert re.search(r"^  name: worker$", reply.text, re.MULTILINE)
    assert re.search(r"^  replicas: 2$", reply.text, re.MULTILINE)


def test_get_with_a_label_selector(any_stack: AnyStack, seeded: Target) -> None:
    mark = any_stack.mark()
    reply = any_stack.run("get pods -l app=api")
    listed = set(re.findall(r"^(api-\S+)", reply.text, re.MULTILINE))
    assert listed == set(seeded.pods("app=api"))
    assert "worker-" not in reply.text
    assert "web-" not in reply.text
    if (sent := any_stack.sent_since(mark)) is not None:
        path = f"/api/v1/namespaces/{seeded.namespace}/pods"
        lists = [r for r in sent if r.path == path]
        assert lists[0].query["labelSelector"] == "app=api"


def test_describe_a_deployment_a_service_and_a_node(any_stack: AnyStack, seeded: Target) -> None:
    ns = seeded.namespace
    node = seeded.core.list_node().items[0].metadata.name
    for text, expected in (
        (f"describe deployment api -n {ns}", rf"Name:\s+api\nNamespace:\s+{ns}"),
        ("describe service kubernetes -n default", r"Name:\s+kubernetes\nNamespace:\s+default"),
        (f"describe node {node}", rf"Name:\s+{node}\nRoles:"),
    ):
        reply = any_stack.run(text)
        assert reply.ephemeral
        assert re.search(expected, reply.text), reply.text


def test_describe_pod(any_stack: AnyStack, seeded: Target) -> None:
    name = seeded.pods("app=worker")[0]
    reply = any_stack.run(f"describe pod {name}")
    assert re.search(rf"Name:\s+{name}\nNamespace:\s+{seeded.namespace}", reply.text)
    assert "Containers:" in reply.text


def test_logs_of_a_pod_with_tail(any_stack: AnyStack, seeded: Target) -> None:
    name = seeded.pods("app=api")[0]
    mark = any_stack.mark()
    reply = any_stack.run(f"logs {name} --tail 2")
    code = reply.text.split("```")[1].strip().splitlines()
    assert len(code) == 2
    if (sent := any_stack.sent_since(mark)) is not None:
        logs = [r for r in sent if r.path.endswith(f"/pods/{name}/log")]
        assert logs[0].query["tailLines"] == "2"


def test_logs_of_a_deployment_and_container(any_stack: AnyStack, seeded: Target) -> None:
    reply = any_stack.run("logs deployment/api -c api --tail 2")
    assert re.search(r"Found 3 pods, using pod/api-", reply.text)
    code = reply.text.split("```")[1].strip().splitlines()
    assert len(code) == 2


def test_logs_of_an_unknown_container_lists_the_real_ones(
    any_stack: AnyStack, seeded: Target
) -> None:
    reply = any_stack.run(f"logs deployment/api -n {seeded.namespace} -c nope")
    assert reply.ephemeral
    assert "container nope is not valid" in reply.text
    assert "api" in reply.text.split("out of:")[1]


def test_help(any_stack: AnyStack) -> None:
    reply = any_stack.run("help")
    assert reply.ephemeral
    for verb in ("get", "describe", "logs", "scale", "rollout", "delete"):
        assert re.search(rf"^\s+{verb}\s", reply.text, re.MULTILINE)


@pytest.fixture
def bulk(target: Target) -> Iterator[str]:
    """A namespace of its own with 120 pods that never start (no node matches them)."""
    name = f"{target.namespace}-bulk"
    target.core.create_namespace({"metadata": {"name": name}})
    try:
        for index in range(120):
            target.core.create_namespaced_pod(
                name,
                {
                    "metadata": {"name": f"bulk-{index:03d}", "labels": {"app": "bulk"}},
                    "spec": {
                        "nodeSelector": {"k8s-chatops.e2e/nowhere": "true"},
                        "containers": [{"name": "main", "image": images()[0]}],
                    },
                },
            )
        yield name
    finally:
        target.core.delete_namespace(name, propagation_policy="Background")


def test_long_get_output_is_attached_in_the_users_dm(
    any_stack: AnyStack, target: Target, bulk: str
) -> None:
    reply = any_stack.run(f"get pods -n {bulk}")
    (shared,) = any_stack.fake.wait_for(
        lambda: [f for f in any_stack.fake.files if b"bulk-119" in f.content],
        what="the attached output",
    )
    assert shared.channel == "D0ALICE"  # the DM conversations.open returned for alice
    content = shared.content.decode()
    assert all(f"bulk-{index:03d}" in content for index in range(120))
    assert "direct message" in reply.text
    assert "bulk-119" not in reply.text  # only a preview is inline
    assert any_stack.fake.calls_to("conversations.open")[-1].params["users"] == ALICE.id
    assert len(target.core.list_namespaced_pod(bulk).items) == 120


def test_whoami_knows_the_slack_user_groups_of_the_policy(any_stack: AnyStack) -> None:
    bob = any_stack.run("whoami", user=BOB)
    assert "You are @bob (U0BOB); your user groups: S0OPS." in bob.text
    assert "policy.bindings[1] gives you viewer in any channel." in bob.text
    alice = any_stack.run("whoami")
    assert "your user groups: none known." in alice.text
    assert "policy.bindings[1]" not in alice.text
