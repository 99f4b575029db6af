"""Previews read from the sandbox (GETs and LISTs only), and pending requests in ConfigMaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kubernetes import client

from bot.core.grammar import parse
from bot.errors import NotFound, UsageError
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import resolved

PROMPT = "Run it?"


def preview(gateway: KubernetesGateway, text: str) -> tuple[str, ...]:
    return gateway.previewer().preview(resolved(parse(text)), prompt=PROMPT).lines


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "scale deployment/web --replicas=0 -n prod",
            (
                "deployment web in namespace prod: 3 → 0 replicas",
                "all 3 of its pods will stop",
            ),
        ),
        (
            "set image deployment/web web=nginx:1.28 -n prod",
            ("deployment web in namespace prod:", "  web: nginx:1.27 → nginx:1.28"),
        ),
        (
            "rollout undo deployment/web -n prod",
            (
                "deployment web in namespace prod: rollback",
                "  from revision 2: web=nginx:1.27 (change-cause: slack:@bob set image "
                "web=nginx:1.27)",
                "  to revision 1: web=nginx:1.26 (change-cause: initial release)",
            ),
        ),
        (
            "rollout undo deployment/web -n prod --to-revision=2",
            (
                "deployment web in namespace prod: skipped: the current template already "
                "matches revision 2",
            ),
        ),
        (
            "rollout restart deployment/worker -n prod",
            (
                "deployment worker in namespace prod: all 2 replicas restart (RollingUpdate: "
                "new pods replace the old ones)",
            ),
        ),
        ("label nodes node-1 tier=gold", (PROMPT,)),
    ],
)
def test_previews_of_the_demo(
    gateway: KubernetesGateway, text: str, lines: tuple[str, ...]
) -> None:
    assert preview(gateway, text) == lines


def test_a_preview_only_reads(gateway: KubernetesGateway, demo: Sandbox) -> None:
    api = demo.api_client()
    try:
        pod = client.CoreV1Api(api).list_namespaced_pod("prod", label_selector="app=web").items[0]
    finally:
        api.close()
    mark = len(demo.requests)
    preview(gateway, "rollout undo deployment/api -n prod")
    assert preview(gateway, f"delete pod {pod.metadata.name} -n prod") == (
        "1 pod in namespace prod will be deleted:",
        f"  {pod.metadata.name}",
    )
    lines = preview(gateway, "delete service -l app=web -n prod")
    assert lines == ("1 service matching app=web in namespace prod will be deleted:", "  web")
    assert {r.method for r in demo.requests.all()[mark:]} == {"GET"}


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("scale deployment/nope --replicas=0 -n prod", NotFound, "nope"),
        ("set image deployment/web nope=x:1 -n prod", UsageError, "containers are: web"),
        ("delete service -l app=nothing -n prod", NotFound, "No resources found in prod namespace"),
        ("scale statefulset/nope --replicas=0 -n prod", NotFound, "nope"),
        ("rollout undo deployment/web -n prod --to-revision=9", NotFound, "revision 9"),
    ],
)
def test_a_command_that_could_not_run_has_no_preview(
    gateway: KubernetesGateway, text: str, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        preview(gateway, text)


def test_the_state_compared_at_the_click(gateway: KubernetesGateway) -> None:
    shown = gateway.previewer().preview(
        resolved(parse("scale deployment/web --replicas=1 -n prod")), prompt=PROMPT
    )
    state = dict(shown.state)
    assert (state["replicas"], state["revision"], state["image of web"]) == ("3", "2", "nginx:1.27")
    assert shown.warning == ""


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_stored_request_changes_once(gw: KubernetesGateway, cluster: Sandbox) -> None:
    store = gw.pending_store(namespace="default", prefix="bot-request")
    replica = KubernetesGateway(cluster.api_client())
    other = replica.pending_store(namespace="default", prefix="bot-request")
    store.create("00aa", '{"a": 1}', expires=NOW)
    first = store.read("00aa")
    assert first is not None
    assert first.record == '{"a": 1}'
    # Two replicas answer the same click: the one that writes first wins, the other learns it.
    won = store.replace("00aa", '{"a": 2}', version=first.version, expires=NOW)
    assert won is not None
    assert other.replace("00aa", '{"a": 3}', version=first.version, expires=NOW) is None
    now = other.read("00aa")
    assert now is not None
    assert (now.record, now.version) == ('{"a": 2}', won)
    assert store.read("ffff") is None
    assert store.replace("ffff", "{}", version="1", expires=NOW) is None
    replica.close()


def test_expired_requests_are_collected(gw: KubernetesGateway, cluster: Sandbox) -> None:
    store = gw.pending_store(namespace="default", prefix="bot-request")
    store.create("0001", "{}", expires=NOW - timedelta(minutes=1))
    store.create("0002", "{}", expires=NOW + timedelta(minutes=1))
    elsewhere = gw.pending_store(namespace="default", prefix="other-request")
    elsewhere.create("0003", "{}", expires=NOW - timedelta(minutes=1))
    assert store.collect(NOW) == 1
    assert (store.read("0001"), store.read("0002") is not None) == (None, True)
    assert elsewhere.read("0003") is not None
    assert store.collect(NOW) == 0
