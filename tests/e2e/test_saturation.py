"""Load and lost deliveries: the ack never waits for work, and a change nobody heard of is audited.

Sixteen ``rollout status`` commands on a rollout that cannot finish used to hold every listener
thread, and every other command then got HTTP 404 after 3 s ("didn't call ack()"). Here the
bot runs with its default sizes (16 general and 16 long workers). This module has a stack of its
own: its tests make Slack refuse posts, which the shared stack's teardown counts as bugs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.core.replies import PROGRESS_CONTEXT
from bot.service.audit import Outcome
from tests.e2e.stack import Stack, running_stack
from tests.e2e.target import AnyStack, running_any_stack
from tests.fakeslack import ALICE, RESPONSE_URL, SlackUser

HELD = 17
"""One more than the general workers, and than the threads the ack used to share with work."""


@pytest.fixture(scope="module", params=["http", "socket"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    mode = str(request.param)
    with running_stack(mode, tmp_path_factory.mktemp(f"saturation-{mode}")) as running:
        yield running


def _stuck_deployment(apps: Any, name: str) -> None:
    """One replica that runs but is not ready for an hour, and a progress deadline far away: a
    held rollout (a pod that never pulls would be named as stuck at once)."""
    labels = {"app": name}
    probe = client.V1Probe(
        http_get=client.V1HTTPGetAction(path="/", port=80), initial_delay_seconds=3600
    )
    container = client.V1Container(name=name, image="nginx:1.27", readiness_probe=probe)
    apps.create_namespaced_deployment(
        "default",
        client.V1Deployment(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1DeploymentSpec(
                replicas=1,
                progress_deadline_seconds=1_000_000,
                selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(containers=[container]),
                ),
            ),
        ),
    )


def _watches(stack: Stack) -> list[Any]:
    return [
        r
        for r in stack.sandbox.requests.matching(
            method="GET", path="/apis/apps/v1/namespaces/default/deployments"
        )
        if "watch" in r.query and r.query.get("fieldSelector") == "metadata.name=stuck"
    ]


def _answered(stack: Stack, url: str) -> bool:
    return any(
        post.status == 200 and PROGRESS_CONTEXT not in str(post.body)
        for post in stack.fake.responses_to(url)
    )


@pytest.fixture(scope="module")
def unheard(any_stack: AnyStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnyStack]:
    """A bot of its own on the run's namespace (no notifier), whose Slack will refuse posts,
    and its Deployment quiet-web."""
    workdir = tmp_path_factory.mktemp(f"unheard-{any_stack.mode}")
    any_stack.target.deployment("quiet-web")
    with running_any_stack(
        any_stack.target, workdir, mode=any_stack.mode, account="k8s-chatops-unheard", notify=False
    ) as running:
        yield running


@pytest.mark.sandbox_only(
    reason="waits in the sandbox's request log for the 16 watches that hold the long workers"
)
def test_the_17th_long_command_still_lets_a_probe_be_acked(stack: Stack) -> None:
    api = stack.sandbox.api_client()
    apps = client.AppsV1Api(api)
    try:
        _stuck_deployment(apps, "stuck")
        users = [SlackUser(f"U0HOLD{i:02d}", f"hold{i}") for i in range(HELD)]
        held = [stack.slack.command("rollout status deployment/stuck", user=u) for u in users]
        assert [sent.status for sent in held] == [200] * HELD
        assert all("busy" not in sent.body for sent in held)
        stack.fake.wait_for(lambda: len(_watches(stack)) >= 16, what="16 rollouts being followed")
        probe = stack.run("get pods -n prod", user=ALICE)
        assert probe.ephemeral
        assert "web-" in probe.text
        assert not any(_answered(stack, sent.response_url) for sent in held)  # still held
        ready = {"name": "stuck", "image": "nginx", "readinessProbe": None}
        apps.patch_namespaced_deployment(
            "stuck",
            "default",
            {"spec": {"template": {"spec": {"containers": [ready]}}}},
        )
        stack.fake.wait_for(
            lambda: all(_answered(stack, sent.response_url) for sent in held),
            timeout=60,
            what="every held rollout status answered",
        )
    finally:
        apps.delete_namespaced_deployment("stuck", "default")
        api.close()


def test_a_change_nobody_could_be_told_of_says_so_in_its_audit_record(
    unheard: AnyStack, caplog: pytest.LogCaptureFixture
) -> None:
    unheard.fake.workspace.not_in_channel.add("C0QUIET")  # chat.postMessage refused
    unheard.fake.fail(RESPONSE_URL, status=404)  # and the response_url fallback too
    text = "scale deployment/quiet-web --replicas=2"
    sent = unheard.slack.command(text, channel="C0QUIET")
    assert sent.status == 200
    [record] = unheard.fake.wait_for(
        lambda: [r for r in unheard.audit.records if r.text == text], what="the audit record"
    )
    assert (record.outcome, record.announced) == (Outcome.OK, False)
    assert "the announcement could not be delivered" in record.detail
    assert "announcement could not be delivered to Slack" in caplog.text
    assert unheard.target.replicas("quiet-web") == 2
