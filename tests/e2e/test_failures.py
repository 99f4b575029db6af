"""What users see when a command is refused or the cluster fails, and the transport's guards."""

from __future__ import annotations

import time

import pytest

from tests.e2e.stack import Stack
from tests.fakeslack import HttpSlack

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""


def test_exec_is_refused_with_a_pointer(stack: Stack) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("exec web-1 -- sh")
    assert reply.ephemeral
    assert "exec is not available from chat" in reply.text
    assert stack.requests_since(mark) == []


def test_cluster_forbidden_reads_as_a_sentence(stack: Stack) -> None:
    rule = stack.sandbox.faults.respond(
        403,
        method="GET",
        path="/namespaces/prod/pods$",
        times=None,
        message='pods is forbidden: User "system:serviceaccount:ops:k8s-chatops" cannot list '
        'resource "pods" in API group "" in the namespace "prod"',
    )
    try:
        reply = stack.run("get pods -n prod")
    finally:
        stack.sandbox.faults.remove(rule)
    assert reply.ephemeral
    assert reply.text.startswith(":x:")
    assert 'may not list pods in namespace "prod"' in reply.text
    assert "Traceback" not in reply.text
    assert rule.hits >= 1


@pytest.mark.parametrize("stack", ["http"], indirect=True)
def test_bad_or_stale_signatures_reach_no_cluster(stack: Stack) -> None:
    assert isinstance(stack.slack, HttpSlack)
    http = stack.slack
    stack.sandbox.requests.clear()
    audited = len(stack.audit.records)
    forged = http.command("get pods -n prod", secret="not-the-secret")
    stale = http.command("get pods -n prod", timestamp=int(time.time()) - 301)
    assert (forged.status, stale.status) == (401, 401)
    assert stack.sandbox.requests.all() == []
    # A signed command afterwards is answered, and still nothing touched namespace prod.
    stack.run("get pods -n staging")
    assert not [r for r in stack.sandbox.requests.all() if "/namespaces/prod/" in r.path]
    assert [r.text for r in stack.audit.records[audited:]] == ["get pods -n staging"]


@pytest.mark.parametrize("stack", ["socket"], indirect=True)
def test_socket_mode_reconnects_and_keeps_answering(stack: Stack) -> None:
    hellos = stack.fake.socket.hellos
    stack.fake.socket.disconnect("refresh_requested")
    stack.fake.wait_for(
        lambda: stack.fake.socket.hellos == hellos + 1 and stack.fake.socket.live == 1,
        what="the refreshed session",
    )
    reply = stack.run("get deployments -n prod")
    assert "worker" in reply.text
