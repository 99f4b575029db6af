"""``cordon|uncordon`` against the sandbox: kubectl's GET of the Node, then its strategic merge
patch, or nothing (and kubectl's ``already`` line) when the node is already so."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.results import Change, Document
from bot.errors import NotFound
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import run

URL = "/api/v1/nodes/sandbox-worker"


def writes(cluster: Sandbox) -> list[Any]:
    return [r for r in cluster.requests.all() if r.method in ("PATCH", "PUT", "POST", "DELETE")]


def unschedulable(gw: KubernetesGateway) -> object:
    result = run(gw, "get node sandbox-worker -o json")
    assert isinstance(result, Document)
    return json.loads(result.text)["spec"].get("unschedulable")


def test_cordon_sends_kubectls_patch(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert run(gw, "cordon sandbox-worker") == Change("node/sandbox-worker cordoned")
    (patch,) = writes(cluster)
    assert (patch.method, patch.path, dict(patch.query)) == ("PATCH", URL, {})
    assert patch.content_type == "application/strategic-merge-patch+json"
    assert patch.body == {"spec": {"unschedulable": True}}
    assert unschedulable(gw) is True


def test_uncordon_deletes_the_field(gw: KubernetesGateway, cluster: Sandbox) -> None:
    run(gw, "cordon node/sandbox-worker")
    assert run(gw, "uncordon sandbox-worker") == Change("node/sandbox-worker uncordoned")
    assert writes(cluster)[-1].body == {"spec": {"unschedulable": None}}
    assert unschedulable(gw) is None


@pytest.mark.parametrize(
    ("texts", "line"),
    [
        (["cordon sandbox-worker"], "node/sandbox-worker already cordoned"),
        ([], "node/sandbox-worker already uncordoned"),
    ],
)
def test_already_so_sends_nothing(
    gw: KubernetesGateway, cluster: Sandbox, texts: list[str], line: str
) -> None:
    for text in texts:
        run(gw, text)
    sent = len(writes(cluster))
    verb = "cordon" if texts else "uncordon"
    assert run(gw, f"{verb} sandbox-worker") == Change(line, changed=False)
    assert len(writes(cluster)) == sent


def test_cordon_of_a_missing_node_is_not_found(gw: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='"nope" not found'):
        run(gw, "cordon nope")
