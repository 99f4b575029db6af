"""What users see when a command is refused or the cluster fails, and the transport's guards."""

from __future__ import annotations

import time

import pytest

from tests.e2e.target import AnyStack
from tests.fakeslack import HttpSlack


def _asked(any_stack: AnyStack, mark: int) -> list[str] | None:
    """Paths the bot asked the sandbox for since ``mark``, but its notifier's (None on a real
    cluster)."""
    sent = any_stack.sent_since(mark)
    if sent is None:
        return None
    return [r.path for r in sent if "watch" not in r.query and "/configmaps" not in r.path]


def test_exec_is_refused_with_a_pointer(any_stack: AnyStack) -> None:
    mark = any_stack.mark()
    reply = any_stack.run("exec web-1 -- sh")
    assert reply.ephemeral
    assert "exec is not available from chat" in reply.text
    assert _asked(any_stack, mark) in ([], None)


def test_cluster_forbidden_reads_as_a_sentence(any_stack: AnyStack) -> None:
    # The bot's account may read no Secret (deploy/ grants none): the cluster answers 403.
    reply = any_stack.run("get secrets -n kube-system")
    assert reply.ephemeral
    assert reply.text.startswith(":x:")
    assert 'may not list secrets in namespace "kube-system"' in reply.text
    assert "Traceback" not in reply.text


@pytest.mark.parametrize("any_stack", ["http"], indirect=True)
def test_bad_or_stale_signatures_reach_no_cluster(any_stack: AnyStack) -> None:
    assert isinstance(any_stack.slack, HttpSlack)
    http = any_stack.slack
    mark = any_stack.mark()
    audited = len(any_stack.audit.records)
    forged = http.command("get pods -n kube-public", secret="not-the-secret")
    stale = http.command("get pods -n kube-public", timestamp=int(time.time()) - 301)
    assert (forged.status, stale.status) == (401, 401)
    assert _asked(any_stack, mark) in ([], None)
    # A signed command afterwards is answered, and still nothing touched namespace kube-public.
    any_stack.run("get pods -n default")
    asked = _asked(any_stack, mark)
    assert asked is None or not [path for path in asked if "/namespaces/kube-public/" in path]
    assert [r.text for r in any_stack.audit.records[audited:]] == ["get pods -n default"]


@pytest.mark.parametrize("any_stack", ["socket"], indirect=True)
def test_socket_mode_reconnects_and_keeps_answering(any_stack: AnyStack) -> None:
    fake = any_stack.fake
    hellos = fake.socket.hellos
    fake.socket.disconnect("refresh_requested")
    fake.wait_for(
        lambda: fake.socket.hellos == hellos + 1 and fake.socket.live == 1,
        what="the refreshed session",
    )
    reply = any_stack.run(f"get deployments -n {any_stack.target.namespace}")
    assert "web" in reply.text
