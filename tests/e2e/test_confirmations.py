"""Damaging commands end to end: the ephemeral prompt, the buttons, who may press them."""

from __future__ import annotations

import uuid
from typing import Any

from kubernetes import client

from bot.service.audit import Verdict
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from tests.e2e.target import AnyStack, Target, images
from tests.fakeslack import BOB, OPS_CHANNEL


def _own(target: Target, replicas: int = 1) -> str:
    return target.deployment(f"cf-{uuid.uuid4().hex[:6]}", replicas=replicas)


def test_delete_pod_after_confirmation(any_stack: AnyStack, target: Target) -> None:
    ns = target.namespace
    name = target.pods(f"app={_own(target)}")[0]
    mark = any_stack.mark()
    prompt = any_stack.run(f"delete pod {name}")
    assert prompt.ephemeral
    assert f"Delete pod {name} in namespace {ns}?" in prompt.headline
    assert target.core.read_namespaced_pod(name, ns).metadata.deletion_timestamp is None

    outcome, announcements = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert outcome.body["replace_original"] is True
    (announcement,) = announcements
    assert announcement.headline == f"@alice deleted pod/{name} in namespace {ns}"
    if (writes := any_stack.writes_since(mark)) is not None:
        (delete,) = [r for r in writes if r.method == "DELETE"]
        assert delete.path == f"/api/v1/namespaces/{ns}/pods/{name}"
    target.wait(lambda: name not in target.pods(""), what=f"pod {name} to be gone")


def test_cancel_keeps_the_pod(any_stack: AnyStack, target: Target) -> None:
    ns = target.namespace
    name = target.pods(f"app={_own(target)}")[0]
    mark = any_stack.mark()
    prompt = any_stack.run(f"delete pod {name} -n {ns}")
    outcome, announcements = any_stack.click(DENY_ACTION, prompt.confirm_token())
    assert (outcome.headline, outcome.body["replace_original"]) == ("Cancelled", True)
    assert announcements == []
    assert any_stack.writes_since(mark) in ([], None)
    assert target.core.read_namespaced_pod(name, ns).metadata.deletion_timestamp is None


def test_delete_services_by_selector_only_for_the_author(
    any_stack: AnyStack, target: Target
) -> None:
    ns, tier = target.namespace, f"retired-{uuid.uuid4().hex[:6]}"
    names = sorted(f"{tier}-{suffix}" for suffix in ("a", "b"))
    for name in names:
        target.core.create_namespaced_service(
            ns,
            {
                "metadata": {"name": name, "labels": {"tier": tier}},
                "spec": {"ports": [{"port": 80}], "selector": {"app": name}},
            },
        )
    mark = any_stack.mark()
    prompt = any_stack.run(f"delete service -l tier={tier}")
    assert f"Delete every service matching tier={tier} in namespace {ns}?" in prompt.headline
    token = prompt.confirm_token()

    refused, announcements = any_stack.click(CONFIRM_ACTION, token, user=BOB)
    assert "Only @alice, who ran this command, can confirm" in refused.text
    refusal = any_stack.audit.records[-1]
    assert (refusal.user_id, refusal.decision, refusal.channel) == (
        BOB.id,
        Verdict.REFUSED,
        OPS_CHANNEL,
    )
    assert announcements == []
    assert any_stack.writes_since(mark) in ([], None)
    assert len(target.core.list_namespaced_service(ns, label_selector=f"tier={tier}").items) == 2

    done, announcements = any_stack.click(CONFIRM_ACTION, token)
    assert done.body["replace_original"] is True
    assert (
        f"@alice deleted the services matching tier={tier} in namespace {ns}"
        in announcements[0].headline
    )
    if (writes := any_stack.writes_since(mark)) is not None:
        deletes = sorted(r.path for r in writes if r.method == "DELETE")
        assert deletes == [f"/api/v1/namespaces/{ns}/services/{name}" for name in names]
    assert target.core.list_namespaced_service(ns, label_selector=f"tier={tier}").items == []


def test_delete_statefulset_and_job_after_confirmation(any_stack: AnyStack, target: Target) -> None:
    ns, name = target.namespace, f"cf-{uuid.uuid4().hex[:6]}"
    labels = {"app": name}
    template = {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "app", "image": images()[0]}]},
    }
    target.apps.create_namespaced_stateful_set(
        ns,
        {
            "metadata": {"name": name},
            "spec": {
                "serviceName": name,
                "selector": {"matchLabels": labels},
                "template": template,
            },
        },
    )
    batch = client.BatchV1Api(target.client)
    job_template = {**template, "spec": {**template["spec"], "restartPolicy": "Never"}}
    batch.create_namespaced_job(
        ns, {"metadata": {"name": name}, "spec": {"template": job_template}}
    )
    for kind, gone in (
        ("statefulset", lambda: name not in _names(target.apps.list_namespaced_stateful_set(ns))),
        ("job", lambda: name not in _names(batch.list_namespaced_job(ns))),
    ):
        prompt = any_stack.run(f"delete {kind} {name}")
        assert f"Delete {kind} {name} in namespace {ns}?" in prompt.headline, prompt.text
        assert f"1 {kind} in namespace {ns} will be deleted:" in prompt.text
        assert not gone()
        _, announcements = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
        assert announcements[0].headline == f"@alice deleted {kind}/{name} in namespace {ns}"
        target.wait(gone, what=f"{kind} {name} to be gone")


def _names(listed: Any) -> set[str]:
    return {item.metadata.name for item in listed.items}
