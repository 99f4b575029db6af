"""Read-only verbs end to end: Slack → the app → ChatOps → the gateway → the sandbox, and back.

Every test runs once per transport (HTTP mode and Socket Mode). Replies to read-only commands
are ephemeral, through the response_url.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.stack import Stack
from tests.fakeslack import ALICE, BOB

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""


def first_pod(core: Any, namespace: str, selector: str) -> str:
    pods = core.list_namespaced_pod(namespace, label_selector=selector).items
    return str(sorted(p.metadata.name for p in pods)[0])


def test_version(stack: Stack) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("version")
    assert reply.ephemeral
    assert "Client Version: k8s-chatops" in reply.text
    assert "Server Version: v1.32" in reply.text
    assert [r.path for r in stack.requests_since(mark)] == ["/version"]


def test_get_pods_in_all_namespaces(stack: Stack, core: Any) -> None:
    shared = len(stack.fake.files)
    reply = stack.run("get pods -A")
    assert reply.ephemeral
    assert re.search(r"NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", reply.text)
    listing = reply.text
    if "(pods.txt)" in reply.text:  # other tests' pods made it long: the whole list is the file
        (attached,) = stack.fake.wait_for(
            lambda: [f for f in stack.fake.files[shared:] if f.filename == "pods.txt"],
            what="the attached list",
        )
        listing = attached.content.decode()
    for pod in core.list_pod_for_all_namespaces().items:
        if pod.metadata.deletion_timestamp is None and pod.metadata.namespace == "kube-system":
            assert pod.metadata.name in listing


def test_get_deployments(stack: Stack) -> None:
    reply = stack.run("get deployments -n prod")
    assert re.search(r"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", reply.text)
    for name in ("api", "web", "worker"):
        assert re.search(rf"^{name}\s+\d+/\d+", reply.text, re.MULTILINE)


def test_get_pods_wide(stack: Stack, core: Any) -> None:
    reply = stack.run("get pods -n staging -o wide")
    assert re.search(r"IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES", reply.text)
    redis = first_pod(core, "staging", "app=redis")
    node = core.read_namespaced_pod(redis, "staging").spec.node_name
    assert re.search(rf"^{redis}\s.*\s{node}\s", reply.text, re.MULTILINE)


def test_get_one_deployment_as_yaml(stack: Stack) -> None:
    reply = stack.run("get deployment worker -n prod -o yaml")
    assert re.search(r"^apiVersion: apps/v1\nkind: Deployment$", reply.text, re.MULTILINE)
    assert re.search(r"^  name: worker$", reply.text, re.MULTILINE)
    assert re.search(r"^  replicas: 2$", reply.text, re.MULTILINE)


def test_get_with_a_label_selector(stack: Stack, core: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("get pods -n prod -l app=web")
    names = {
        p.metadata.name for p in core.list_namespaced_pod("prod", label_selector="app=web").items
    }
    listed = set(re.findall(r"^(web-\S+)", reply.text, re.MULTILINE))
    assert listed == names
    assert "api-" not in reply.text
    lists = [r for r in stack.requests_since(mark) if r.path == "/api/v1/namespaces/prod/pods"]
    assert lists[0].query["labelSelector"] == "app=web"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("describe deployment api -n prod", r"Name:\s+api\nNamespace:\s+prod"),
        ("describe service kubernetes", r"Name:\s+kubernetes\nNamespace:\s+default"),
        ("describe node sandbox-worker", r"Name:\s+sandbox-worker\nRoles:"),
    ],
)
def test_describe(stack: Stack, text: str, expected: str) -> None:
    reply = stack.run(text)
    assert reply.ephemeral
    assert re.search(expected, reply.text), reply.text


def test_describe_pod(stack: Stack, core: Any) -> None:
    name = first_pod(core, "prod", "app=worker")
    reply = stack.run(f"describe pod {name} -n prod")
    assert re.search(rf"Name:\s+{name}\nNamespace:\s+prod", reply.text)
    assert "Containers:" in reply.text


def test_logs_of_a_pod_with_tail(stack: Stack, core: Any) -> None:
    name = first_pod(core, "prod", "app=worker")
    mark = len(stack.sandbox.requests)
    reply = stack.run(f"logs {name} -n prod --tail 5")
    logs = [r for r in stack.requests_since(mark) if r.path.endswith(f"/pods/{name}/log")]
    assert logs[0].query["tailLines"] == "5"
    code = reply.text.split("```")[1].strip().splitlines()
    assert len(code) == 5


def test_logs_of_a_deployment_and_container(stack: Stack) -> None:
    reply = stack.run("logs deployment/api -n prod -c api --tail 3")
    assert re.search(r"Found 3 pods, using pod/api-", reply.text)
    assert "[api]" in reply.text


def test_logs_of_an_unknown_container_lists_the_real_ones(stack: Stack) -> None:
    reply = stack.run("logs deployment/api -n prod -c nope")
    assert reply.ephemeral
    assert "container nope is not valid" in reply.text
    assert "api" in reply.text.split("out of:")[1]


def test_help(stack: Stack) -> None:
    reply = stack.run("help")
    assert reply.ephemeral
    for verb in ("get", "describe", "logs", "scale", "rollout", "delete"):
        assert re.search(rf"^\s+{verb}\s", reply.text, re.MULTILINE)


def test_long_get_output_is_attached_in_the_users_dm(stack: Stack, core: Any) -> None:
    core.create_namespace({"metadata": {"name": "bulk"}})
    for index in range(120):
        core.create_namespaced_pod(
            "bulk",
            {
                "metadata": {"name": f"bulk-{index:03d}", "labels": {"app": "bulk"}},
                "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]},
            },
        )
    reply = stack.run("get pods -n bulk")
    (shared,) = stack.fake.wait_for(
        lambda: [f for f in stack.fake.files if b"bulk-119" in f.content],
        what="the attached output",
    )
    assert shared.channel == "D0ALICE"  # the DM conversations.open returned for alice
    content = shared.content.decode()
    assert all(f"bulk-{index:03d}" in content for index in range(120))
    assert "direct message" in reply.text
    assert "bulk-119" not in reply.text  # only a preview is inline
    assert stack.fake.calls_to("conversations.open")[-1].params["users"] == ALICE.id
    assert len(core.list_namespaced_pod("bulk").items) == 120


def test_whoami_knows_the_slack_user_groups_of_the_policy(stack: Stack) -> None:
    bob = stack.run("whoami", user=BOB)
    assert "You are @bob (U0BOB); your user groups: S0OPS." in bob.text
    assert "policy.bindings[1] gives you viewer in any channel." in bob.text
    alice = stack.run("whoami")
    assert "your user groups: none known." in alice.text
    assert "policy.bindings[1]" not in alice.text
