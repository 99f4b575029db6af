"""kubectl describe text for pods, deployments, services and nodes, against golden files.

The goldens were checked line by line against kubectl v1.32's describe.go layout; regenerate
them with ``UPDATE_GOLDEN=1 pytest tests/core/test_describe.py`` only after such a check.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.describe import describe_deployment, describe_pod, describe_service, describe_template
from bot.core.describe_node import describe_node
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
now = datetime(2026, 11, 29, 16, 0, 0, tzinfo=UTC)

OBJECTS = json.loads((GOLDEN / "describe_objects.json").read_text())
pod, events, dep, old, new = (OBJECTS[k] for k in ("pod", "events", "dep", "old", "new"))
svc, eps, node, pods, lease = (OBJECTS[k] for k in ("svc", "eps", "node", "pods", "lease"))


def check(name: str, text: str) -> None:
    assert_golden(GOLDEN / f"{name}.txt", text)


def test_describe_pod() -> None:
    check("describe_pod", describe_pod(pod, events, now))


def test_describe_deployment() -> None:
    check("describe_deployment", describe_deployment(dep, old=old, new=new, events=[], now=now))


def test_describe_service() -> None:
    check("describe_service", describe_service(svc, eps, [], now))


def test_describe_node() -> None:
    text = describe_node(node, pods=pods, lease=lease, lease_error=None, events=[], now=now)
    check("describe_node", text)


def test_events_are_left_out_when_the_search_failed() -> None:
    assert "Events:" not in describe_pod(pod, None, now)


def test_service_without_endpoints() -> None:
    assert "Endpoints:                <none>" in describe_service(svc, None, None, now)


@pytest.mark.parametrize("count", [4, 5])
def test_endpoints_are_cut_after_three(count: int) -> None:
    many = {
        "subsets": [
            {
                "addresses": [{"ip": f"10.0.0.{i}"} for i in range(count)],
                "ports": [{"port": 8080, "protocol": "TCP"}],
            }
        ]
    }
    text = describe_service(svc, many, None, now)
    assert f"10.0.0.0:8080,10.0.0.1:8080,10.0.0.2:8080 + {count - 3} more..." in text


def test_node_pods_not_authorized() -> None:
    text = describe_node(node, pods=None, lease=None, lease_error="forbidden", events=None, now=now)
    assert "Pods:                         not authorized" in text
    assert "Lease:              Failed to get lease: forbidden" in text


def test_template_alone() -> None:
    assert describe_template(dep["spec"]["template"]).startswith(
        "Pod Template:\n  Labels:\tapp=web\n"
    )
