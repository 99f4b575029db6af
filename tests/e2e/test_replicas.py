"""Two replicas of the bot in HTTP mode, one cluster: a signed request runs once in all.

Slack signs a request with its timestamp, and the signature is honoured for five minutes, so a
captured ``rollout restart`` could be sent to every replica (or to a restarted one). Each replica
remembers what it took; the cluster remembers for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.gateway.seen_requests import record_name
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import SIGNING_SECRET, SPEED, MemoryAudit, http_bots
from tests.e2e.target import Target
from tests.fakeslack import FakeSlack, payloads, running_fake_slack
from tests.fakeslack.drive import post


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sandbox, FakeSlack, list[tuple[str, MemoryAudit]]]]:
    """One sandbox and one fake Slack; two bots composed from the same settings."""
    with (
        running_sandbox(scenario="demo", speed=SPEED) as sandbox,
        running_fake_slack() as fake,
        http_bots(sandbox.kubeconfig, fake, tmp_path_factory.mktemp("replicas"), count=2) as served,
    ):
        yield sandbox, fake, served


@pytest.fixture(scope="module")
def pair(
    target: Target, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FakeSlack, list[tuple[str, MemoryAudit]]]]:
    """Two bots composed from the same settings on the run's cluster and one fake Slack."""
    with (
        running_fake_slack() as fake,
        http_bots(target.kubeconfig, fake, tmp_path_factory.mktemp("pair"), count=2) as served,
    ):
        yield fake, served


def _restarts(sandbox: Sandbox, mark: int) -> list[str]:
    return [
        r.method
        for r in sandbox.requests.all()[mark:]
        if r.method == "PATCH" and r.path.endswith("/deployments/web")
    ]


@pytest.mark.sandbox_only(
    reason="the sandbox's request log shows both replicas deciding and a single PATCH"
)
def test_a_request_sent_to_both_replicas_runs_once(
    replicas: tuple[Sandbox, FakeSlack, list[tuple[str, MemoryAudit]]],
) -> None:
    sandbox, fake, served = replicas
    mark = len(sandbox.requests)
    fields = fake.slash_command("rollout restart deployment/web -n prod")
    body = payloads.form_body(fields)
    headers = payloads.signature_headers(SIGNING_SECRET, body)
    assert [post(url, body, headers)[0] for url, _ in served] == [200, 200]
    record = record_name(headers["X-Slack-Signature"])

    def both_decided() -> bool:
        """Each replica ran the restart or was told that the other took the request."""
        asked = [
            r
            for r in sandbox.requests.all()[mark:]
            if r.method == "POST" and isinstance(r.body, dict)
            if r.body.get("metadata", {}).get("name") == record
        ]
        return len(asked) == 2 or len(_restarts(sandbox, mark)) == 2

    fake.wait_for(both_decided, what="both replicas deciding about the request")
    fake.wait_for(lambda: fake.calls_to("chat.postMessage"), what="the announcement")

    def audited() -> list[object]:  # the record follows the announcement
        return [r for _, audit in served for r in audit.records if r.verb == "rollout-restart"]

    assert len(fake.wait_for(audited, what="the audit record")) == 1
    assert _restarts(sandbox, mark) == ["PATCH"]


def test_each_replica_still_takes_new_requests(
    pair: tuple[FakeSlack, list[tuple[str, MemoryAudit]]], target: Target
) -> None:
    fake, served = pair
    for url, _ in served:
        fields = fake.slash_command(f"get deployments -n {target.namespace}")
        body = payloads.form_body(fields)
        assert post(url, body, payloads.signature_headers(SIGNING_SECRET, body))[0] == 200
        reply = fake.wait_response(fields["response_url"])
        assert "web" in str(reply.body)
