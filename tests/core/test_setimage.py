"""The strategic-merge patch of ``set image`` (kubectl's two-way merge patch, plus change-cause)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.setimage import image_patch
from bot.errors import UsageError

CAUSE = "slack:@alice set image deployment/web web=nginx:1.27"


def deployment() -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "annotations": {}},
        "spec": {
            "template": {
                "spec": {
                    "initContainers": [{"name": "setup", "image": "busybox:1"}],
                    "containers": [
                        {"name": "web", "image": "nginx:1.26"},
                        {"name": "log", "image": "fluent:2"},
                    ],
                }
            }
        },
    }


def test_patch_has_changed_container_order_and_change_cause() -> None:
    patch = image_patch(deployment(), [("web", "nginx:1.27")], change_cause=CAUSE)
    assert patch == {
        "metadata": {"annotations": {"kubernetes.io/change-cause": CAUSE}},
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "web"}, {"name": "log"}],
                    "containers": [{"image": "nginx:1.27", "name": "web"}],
                }
            }
        },
    }


def test_star_updates_containers_and_init_containers() -> None:
    patch = image_patch(deployment(), [("*", "x:1")], change_cause=CAUSE)
    spec = patch["spec"]["template"]["spec"]
    assert list(spec) == [
        "$setElementOrder/containers",
        "$setElementOrder/initContainers",
        "containers",
        "initContainers",
    ]
    assert spec["initContainers"] == [{"image": "x:1", "name": "setup"}]
    assert len(spec["containers"]) == 2


def test_unchanged_image_gives_no_patch() -> None:
    assert image_patch(deployment(), [("web", "nginx:1.26")], change_cause=CAUSE) == {}


def test_unknown_container_lists_the_real_ones() -> None:
    with pytest.raises(UsageError) as err:
        image_patch(deployment(), [("db", "pg:16")], change_cause=CAUSE)
    assert str(err.value) == 'unable to find container named "db"; containers are: web, log, setup'
