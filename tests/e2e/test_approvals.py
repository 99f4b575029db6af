"""Previews, confirmations and approvals end to end: clicks as signed ``block_actions`` requests
(HTTP) and as Socket Mode envelopes, on two replicas of the bot sharing one sandbox.

The module runs its own stack (per mode) with a policy that asks for approvals: carol is a
release manager in prod (her changes need an sre-lead's approval) and a deployer in staging
(her changes there she confirms herself); bob is an sre-lead through the S0OPS group; alice is
an admin, who holds no approver role.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.gateway.pending_store import LABEL
from bot.service.audit import Verdict
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from kubesim.apiserver.request_log import RecordedRequest
from tests.e2e.stack import Delivered, Stack, running_replica, running_stack
from tests.e2e.target import AnyStack, Target
from tests.fakeslack import ALICE, BOB, CAROL

POLICY = """\
policy:
  admins: [U0ALICE]
  roles:
    viewer:
      rules:
        - verbs: [get, describe, logs, rollout-status, rollout-history, version]
    release-manager:
      rules:
        - verbs: [scale, set-image, rollout-undo, rollout-restart]
          resources: [deployments]
          namespaces: [prod]
          scale_to_zero: true
          approvers: [sre-lead]
    deployer:
      rules:
        - verbs: [scale, set-image, rollout-undo, rollout-restart]
          resources: [deployments]
          namespaces: [staging]
          confirm: true
    sre-lead:
      rules:
        - verbs: [rollout-status]
          resources: [deployments]
  bindings:
    - roles: [viewer]
      users: ["*"]
    - roles: [release-manager, deployer, sre-lead]
      users: [U0CAROL]
    - roles: [sre-lead]
      groups: [S0OPS]
"""
LOG = "the sandbox's request log proves that the change was sent exactly once (or never)"
REPLICA = "a second replica composed on the sandbox stack's settings, clock and Slack"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_names = itertools.count()


@pytest.fixture(scope="module", params=["http", "socket"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    mode = str(request.param)
    workdir = tmp_path_factory.mktemp(f"approvals-{mode}")
    with running_stack(mode, workdir, policy=POLICY) as running:
        yield running
        assert [p for p in running.fake.responses if p.status != 200] == []
        assert [c for c in running.fake.calls if not c.ok and c.status != 429] == []


@pytest.fixture
def replica(stack: Stack) -> Iterator[Stack]:
    """A second bot process's worth of app on the same sandbox and Slack."""
    with running_replica(stack) as other:
        yield other


def fresh_deployment(
    stack: Stack,
    apps: Any,
    namespace: str,
    *,
    replicas: int = 3,
    labels: dict[str, str] | None = None,
) -> str:
    """A Deployment of its own for one test, once the controller has given it revision 1."""
    name = f"shop{next(_names)}"
    apps.create_namespaced_deployment(
        namespace,
        {
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
    )

    def settled() -> bool:
        found = apps.read_namespaced_deployment(name, namespace)
        revision = (found.metadata.annotations or {}).get("deployment.kubernetes.io/revision")
        return bool(revision) and found.status.observed_generation == found.metadata.generation

    stack.fake.wait_for(settled, timeout=30, what=f"deployment {name} to get its first revision")
    return name


def changes_to(stack: Stack, mark: int, name: str) -> list[RecordedRequest]:
    """Mutating requests on the Deployment ``name`` since ``mark``."""
    return [
        r
        for r in stack.requests_since(mark)
        if r.method in MUTATING and f"/deployments/{name}" in r.path
    ]


def audited(stack: Stack, name: str, namespace: str = "prod") -> list[Any]:
    """The audit records about the Deployment ``name`` (the record of a click that changed
    something is written after its answer reached Slack: wait for it)."""
    target = f"deployments/{name} in namespace {namespace}"
    return [r for r in stack.audit.records if r.target == target]


def approve(
    stack: Stack, prompt: Delivered, *, user: Any = BOB
) -> tuple[Delivered, list[Delivered]]:
    return stack.click(CONFIRM_ACTION, prompt.confirm_token(), user=user, ephemeral=False)


@pytest.mark.sandbox_only(reason=f"{REPLICA}; {LOG}")
def test_approval_by_a_different_approver_on_the_other_replica(
    stack: Stack, replica: Stack, apps: Any
) -> None:
    name = fresh_deployment(stack, apps, "prod")
    mark = len(stack.sandbox.requests)
    prompt = stack.run(f"scale deployment/{name} --replicas=5 -n prod", user=CAROL)
    # An approval prompt is posted in the channel, where approvers see it.
    assert prompt.via == "chat.postMessage"
    assert f"deployment {name} in namespace prod: 3 → 5 replicas" in prompt.text
    assert "Approve" in prompt.text
    assert "needs an approval by someone other than @carol holding sre-lead" in prompt.text
    assert "expires at" in prompt.text

    mine, announced = approve(stack, prompt, user=CAROL)
    assert "You cannot approve your own request" in mine.text
    assert "holding sre-lead in this channel (a member of S0OPS)" in mine.text
    assert (mine.body["replace_original"], announced) == (False, [])
    theirs, announced = approve(stack, prompt, user=ALICE)
    assert "You may not approve this request of @carol" in theirs.text
    assert announced == []
    assert changes_to(stack, mark, name) == []

    outcome, announced = approve(replica, prompt)
    assert outcome.body["replace_original"] is True
    assert "Approved by @bob." in outcome.text
    (announcement,) = announced
    assert (
        announcement.headline == f"@carol scaled deployment/{name} in namespace prod to 5 replicas"
    )
    assert "Approved by @bob." in announcement.text
    (patch,) = changes_to(stack, mark, name)
    assert (patch.method, patch.path) == (
        "PATCH",
        f"/apis/apps/v1/namespaces/prod/deployments/{name}/scale",
    )
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 5

    stack.fake.wait_for(
        lambda: len(audited(stack, name)) == 4, timeout=20, what="the approval's record"
    )
    trail = audited(stack, name)
    assert [(r.user_id, r.decision) for r in trail] == [
        (CAROL.id, Verdict.PREVIEWED),
        (CAROL.id, Verdict.REFUSED),
        (ALICE.id, Verdict.REFUSED),
        (CAROL.id, Verdict.APPROVED),
    ]
    approved = trail[-1]
    assert approved.approver == f"@bob ({BOB.id})"
    assert approved.preview == (f"deployment {name} in namespace prod: 3 → 5 replicas",)
    assert trail[0].request == approved.request != ""


@pytest.mark.sandbox_only(reason=f"{REPLICA}; {LOG}")
def test_a_double_click_on_two_replicas_runs_once(stack: Stack, replica: Stack, apps: Any) -> None:
    name = fresh_deployment(stack, apps, "prod")
    prompt = stack.run(f"rollout restart deployment/{name} -n prod", user=CAROL)
    assert f"deployment {name} in namespace prod: all 3 replicas restart" in prompt.text
    mark = len(stack.sandbox.requests)
    token = prompt.confirm_token()
    sent: list[Any] = []

    def click(on: Stack) -> None:
        sent.append(on.slack.click(CONFIRM_ACTION, token, user=BOB, ephemeral=False))

    clicks = [threading.Thread(target=click, args=(on,)) for on in (stack, replica, stack)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(timeout=30)
    answers = [stack.fake.wait_response(s.response_url, timeout=20).body for s in sent]
    (patch,) = changes_to(stack, mark, name)
    assert patch.method == "PATCH"
    refused = [a for a in answers if "no longer pending" in str(a.get("text"))]
    assert len(refused) == 2
    stack.fake.wait_for(
        lambda: len(audited(stack, name)) == 4, timeout=20, what="every click to be audited"
    )
    assert [r.decision for r in audited(stack, name)].count(Verdict.APPROVED) == 1


@pytest.mark.sandbox_only(reason=f"{REPLICA}; {LOG}")
def test_a_restart_between_preview_and_click_keeps_the_request(stack: Stack, apps: Any) -> None:
    name = fresh_deployment(stack, apps, "prod")
    with running_replica(stack) as first:
        prompt = first.run(f"set image deployment/{name} web=nginx:1.28 -n prod", user=CAROL)
    # That process is gone; a new one answers the click.
    assert "web: nginx:1.27 → nginx:1.28" in prompt.text
    mark = len(stack.sandbox.requests)
    with running_replica(stack) as second:
        outcome, announced = approve(second, prompt)
    assert outcome.body["replace_original"] is True
    assert announced[0].headline == (
        f"@carol set the image of deployment/{name} in namespace prod to web=nginx:1.28"
    )
    (patch,) = changes_to(stack, mark, name)
    assert patch.method == "PATCH"
    template = apps.read_namespaced_deployment(name, "prod").spec.template
    assert template.spec.containers[0].image == "nginx:1.28"


@pytest.mark.sandbox_only(reason="the sandbox stack's bot clock is moved past the expiry; " + LOG)
def test_an_expired_request_says_so_changes_nothing_and_is_collected(
    stack: Stack, apps: Any, core: Any
) -> None:
    name = fresh_deployment(stack, apps, "prod")
    prompt = stack.run(f"scale deployment/{name} --replicas=1 -n prod", user=CAROL)
    token = prompt.confirm_token()
    stored = f"k8s-chatops-request-{token}"
    assert core.read_namespaced_config_map(stored, "default").metadata.labels[LABEL]
    mark = len(stack.sandbox.requests)
    try:
        stack.clock.offset = timedelta(minutes=5, seconds=1)
        outcome, announced = approve(stack, prompt)
        assert "This request expired after 5 minutes" in outcome.text
        assert outcome.body["replace_original"] is True
        assert announced == []
        assert changes_to(stack, mark, name) == []
        assert stack.audit.records[-1].decision is Verdict.EXPIRED
        # One more expiry period later, the next request collects it.
        stack.clock.offset = timedelta(minutes=10, seconds=2)
        stack.run(f"scale deployment/{name} --replicas=2 -n prod", user=CAROL)
    finally:
        stack.clock.offset = timedelta(0)
    names = {c.metadata.name for c in core.list_namespaced_config_map("default").items}
    assert stored not in names
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 3


@pytest.mark.sandbox_only(reason=LOG)
def test_a_target_changed_since_the_preview_is_refused(stack: Stack, apps: Any) -> None:
    name = fresh_deployment(stack, apps, "prod")
    prompt = stack.run(f"scale deployment/{name} --replicas=0 -n prod", user=CAROL)
    assert f"deployment {name} in namespace prod: 3 → 0 replicas" in prompt.text
    assert "all 3 of its pods will stop" in prompt.text
    apps.patch_namespaced_deployment_scale(name, "prod", {"spec": {"replicas": 4}})
    mark = len(stack.sandbox.requests)
    outcome, announced = approve(stack, prompt)
    assert (
        f"Refused: deployments/{name} in namespace prod changed since the preview" in outcome.text
    )
    assert "replicas 3 → 4" in outcome.text
    assert outcome.body["replace_original"] is True
    assert (announced, changes_to(stack, mark, name)) == ([], [])
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 4
    assert stack.audit.records[-1].decision is Verdict.REFUSED


@pytest.mark.sandbox_only(reason=LOG)
def test_the_author_cancels_an_approval_request(stack: Stack, apps: Any) -> None:
    name = fresh_deployment(stack, apps, "prod")
    prompt = stack.run(f"scale deployment/{name} --replicas=2 -n prod", user=CAROL)
    refused, _ = stack.click(DENY_ACTION, prompt.confirm_token(), user=BOB, ephemeral=False)
    assert "Only @carol, who ran this command, can confirm or cancel it." in refused.text
    mark = len(stack.sandbox.requests)
    outcome, announced = stack.click(
        DENY_ACTION, prompt.confirm_token(), user=CAROL, ephemeral=False
    )
    assert (outcome.headline, outcome.body["replace_original"], announced) == (
        "Cancelled",
        True,
        [],
    )
    late, _ = approve(stack, prompt)
    assert "no longer pending: it was cancelled by @carol" in late.text
    assert changes_to(stack, mark, name) == []
    assert stack.audit.records[-2].decision is Verdict.CANCELLED


@pytest.mark.sandbox_only(reason=LOG)
def test_a_confirm_rule_previews_with_a_gitops_warning(stack: Stack, apps: Any) -> None:
    name = fresh_deployment(stack, apps, "staging", labels={"argocd.argoproj.io/instance": "shop"})
    prompt = stack.run(f"set image deployment/{name} web=nginx:1.28 -n staging", user=CAROL)
    assert prompt.ephemeral
    assert "web: nginx:1.27 → nginx:1.28" in prompt.text
    assert "managed by Argo CD (application shop)" in prompt.text
    assert "next sync will revert a manual change" in prompt.text
    mark = len(stack.sandbox.requests)
    outcome, announced = stack.click(CONFIRM_ACTION, prompt.confirm_token(), user=CAROL)
    assert outcome.body["replace_original"] is True
    assert len(announced) == 1
    assert len(changes_to(stack, mark, name)) == 1
    stack.fake.wait_for(
        lambda: len(audited(stack, name, "staging")) == 2, timeout=20, what="the record"
    )
    confirmed = audited(stack, name, "staging")[-1]
    assert (confirmed.decision, confirmed.approver) == (Verdict.CONFIRMED, f"@carol ({CAROL.id})")


@pytest.mark.sandbox_only(
    reason="the demo scenario's revision history of prod/api, under the approvals policy"
)
def test_undo_previews_both_revisions(stack: Stack) -> None:
    prompt = stack.run("rollout undo deployment/api -n prod", user=CAROL)
    assert "from revision 3: api=ghcr.io/acme/api:1.3.1" in prompt.text
    assert "change-cause: slack:@alice set image api=ghcr.io/acme/api:1.3.1" in prompt.text
    assert "to revision 2: api=ghcr.io/acme/api:1.3.0" in prompt.text
    stack.click(DENY_ACTION, prompt.confirm_token(), user=CAROL, ephemeral=False)


def test_delete_by_selector_previews_every_object(any_stack: AnyStack, target: Target) -> None:
    ns, tier = target.namespace, f"gone-{next(_names)}"
    for name in (f"{tier}-a", f"{tier}-b"):
        target.core.create_namespaced_service(
            ns,
            {
                "metadata": {"name": name, "labels": {"tier": tier}},
                "spec": {"ports": [{"port": 80}], "selector": {"app": name}},
            },
        )
    prompt = any_stack.run(f"delete service -l tier={tier}")
    assert prompt.ephemeral
    assert f"2 services matching tier={tier} in namespace {ns} will be deleted:" in prompt.text
    assert f"{tier}-a\n  {tier}-b" in prompt.text
    outcome, announced = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert outcome.body["replace_original"] is True
    assert f"@alice deleted the services matching tier={tier}" in announced[0].headline
    assert target.core.list_namespaced_service(ns, label_selector=f"tier={tier}").items == []
