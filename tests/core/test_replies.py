"""Every reply is built in the core: what it says, given who sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.render_text import render_reply
from bot.core.replies import (
    cancelled_reply,
    change_reply,
    confirmation_reply,
    error_reply,
    help_reply,
    incident_reply,
    result_reply,
    usage_reply,
)
from bot.core.reply import Preformatted, Tone, Visibility
from bot.core.results import Change, Table
from bot.core.subject import Subject
from bot.core.verbs.get import Get
from bot.core.verbs.help import Help
from bot.core.verbs.scale import Scale
from bot.core.wording import in_namespace, typed, where
from bot.errors import NotAllowed, UsageError

ALICE = Subject("U0ALICE", "alice", display="@alice", actor="slack:@alice")
PODS = Table(("NAME", "READY"), (("web-1", "1/1"),), notes=("Warning: something",))


@pytest.mark.parametrize("visibility", list(Visibility))
def test_the_caller_picks_who_sees_each_reply(visibility: Visibility) -> None:
    built = [
        result_reply(
            Get("pods"), PODS, asker=ALICE, prefix="/k8s", text="get pods", visibility=visibility
        ),
        change_reply(
            Scale(name="web", replicas=2),
            Change("deployment.apps/web scaled"),
            announcement="@alice scaled deployment/web to 2 replicas",
            visibility=visibility,
        ),
        help_reply(Help(), prefix="/k8s", visibility=visibility),
        usage_reply(UsageError("bad"), prefix="/k8s", visibility=visibility),
        error_reply(NotAllowed("no"), visibility=visibility),
        cancelled_reply("delete pod web-1", visibility=visibility),
        incident_reply("abcd1234", visibility=visibility),
    ]
    assert [reply.visibility for reply in built] == [visibility] * len(built)


def test_a_result_says_who_asked_what_after_kubectls_notes() -> None:
    reply = result_reply(
        Get("pods", namespace="prod"),
        PODS,
        asker=ALICE,
        prefix="/kube",
        text=" get pods -n prod ",
        visibility=Visibility.EPHEMERAL,
    )
    assert reply.headline == "pods in namespace prod (1 row)"
    assert reply.context == ("Warning: something", "@alice: /kube get pods -n prod")


def test_a_change_leads_with_its_announcement_then_kubectls_line() -> None:
    reply = change_reply(
        Scale(name="web", replicas=2, namespace="prod"),
        Change("deployment.apps/web scaled", details=("from 4",), notes=("a note",)),
        announcement="@alice scaled deployment/web in namespace prod to 2 replicas",
        visibility=Visibility.IN_CHANNEL,
    )
    assert reply.headline == "@alice scaled deployment/web in namespace prod to 2 replicas"
    assert reply.parts[0] == Preformatted("deployment.apps/web scaled")
    assert reply.tone is Tone.SUCCESS
    assert reply.context == ("a note",)


@pytest.mark.parametrize(
    ("topic", "headline", "says"),
    [
        (None, "/k8s commands", "Commands"),
        ("logs", "/k8s help logs", "Usage: logs"),
        ("exec", "/k8s help exec", "Exec is not"),
    ],
)
def test_help_is_answered_locally(topic: str | None, headline: str, says: str) -> None:
    reply = help_reply(Help(topic), prefix="/k8s", visibility=Visibility.EPHEMERAL)
    assert reply.headline == headline
    part = reply.parts[0]
    assert isinstance(part, Preformatted)
    assert part.filename == "help.txt"
    assert says in part.text


def test_usage_names_the_configured_command() -> None:
    error = UsageError("missing --replicas", usage="scale deployment/NAME --replicas=N", hint="x")
    text = render_reply(usage_reply(error, prefix="/kube", visibility=Visibility.EPHEMERAL))
    assert "Usage: /kube scale deployment/NAME --replicas=N" in text
    assert 'Type "/kube help" for the list of commands.' in text


def test_a_confirmation_is_private_whatever_the_settings() -> None:
    reply = confirmation_reply(
        "Delete pod web-1 in namespace prod?", "t0k", author=ALICE, expiry=timedelta(seconds=90)
    )
    assert reply.visibility is Visibility.EPHEMERAL
    assert reply.confirm is not None
    assert reply.confirm.token == "t0k"
    assert reply.context == ("Only @alice can confirm, within 1.5 minutes.",)


@pytest.mark.parametrize(
    ("namespace", "resource", "phrase"),
    [
        ("prod", "", " in namespace prod"),
        (None, "pods", ""),
        ("prod", "nodes", ""),
        ("prod", "namespaces", ""),
        ("prod", "deployments.apps", " in namespace prod"),
    ],
)
def test_in_namespace(namespace: str | None, resource: str, phrase: str) -> None:
    assert in_namespace(namespace, resource=resource) == phrase


def test_where_before_the_namespace_is_resolved() -> None:
    assert where(None) == "in the default namespace"
    assert where("prod") == "in namespace prod"


def test_typed_has_one_space_and_no_ends() -> None:
    assert typed("/k8s", "  get pods ") == "/k8s get pods"
