"""Previews from raw objects, GitOps markers, what changed between two reads, who approves."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import preview
from bot.core.approvals import approver_role, not_an_approver, self_approval, who_can_approve
from bot.core.policy import Binding, Channel, Policy, Role, Rule
from bot.core.subject import Subject
from bot.errors import NotFound, UsageError


def deployment(
    *,
    replicas: int = 3,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    images: tuple[tuple[str, str], ...] = (("web", "nginx:1.27"), ("log", "fluent:1")),
) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "prod",
            "uid": "u-web",
            "labels": labels or {},
            "annotations": {"deployment.kubernetes.io/revision": "5", **(annotations or {})},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": n, "image": i} for n, i in images]},
            },
        },
    }


@pytest.mark.parametrize(
    ("labels", "annotations", "manager"),
    [
        ({"argocd.argoproj.io/instance": "shop"}, {}, "Argo CD (application shop)"),
        (
            {},
            {"argocd.argoproj.io/tracking-id": "shop:apps/Deployment:prod/web"},
            "Argo CD (application shop)",
        ),
        ({"kustomize.toolkit.fluxcd.io/name": "apps"}, {}, "Flux (Kustomization apps)"),
        ({"helm.toolkit.fluxcd.io/name": "web"}, {}, "Flux (HelmRelease web)"),
    ],
)
def test_gitops_markers_warn(
    labels: dict[str, str], annotations: dict[str, str], manager: str
) -> None:
    shown = preview.scale(deployment(labels=labels, annotations=annotations), 4)
    assert shown.warning.startswith(f"deployment web is managed by {manager}: its next sync will")


def test_no_marker_no_warning() -> None:
    assert preview.scale(deployment(labels={"app": "web"}), 4).warning == ""


def test_scale_up_says_nothing_stops() -> None:
    assert preview.scale(deployment(), 5).lines == (
        "deployment web in namespace prod: 3 → 5 replicas",
    )
    assert preview.scale(deployment(replicas=1), 1).lines[0].endswith("1 → 1 replica")


@pytest.mark.parametrize(
    ("images", "lines"),
    [
        ((("web", "nginx:1.28"),), ("  web: nginx:1.27 → nginx:1.28",)),
        ((("*", "busybox:1"),), ("  web: nginx:1.27 → busybox:1", "  log: fluent:1 → busybox:1")),
        ((("log", "fluent:1"),), ("  log: fluent:1 (unchanged)",)),
    ],
)
def test_set_image_per_container(
    images: tuple[tuple[str, str], ...], lines: tuple[str, ...]
) -> None:
    assert preview.set_image(deployment(), images).lines[1:] == lines


def test_set_image_names_the_real_containers() -> None:
    with pytest.raises(UsageError, match="containers are: web, log"):
        preview.set_image(deployment(), (("app", "x:1"),))


def test_undo_without_history() -> None:
    with pytest.raises(NotFound):
        preview.undo(deployment(), [])


def test_delete_nothing_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"^No resources found in prod namespace\.$"):
        preview.delete("service", [], selector="tier=x", namespace="prod")
    with pytest.raises(NotFound, match=r"^No resources found\.$"):
        preview.delete("service", [], selector="tier=x")


def test_delete_names_each_object_and_keeps_their_uids() -> None:
    objects = [
        {"metadata": {"name": n, "namespace": "default", "uid": f"uid-{n}"}} for n in ("b", "a")
    ]
    shown = preview.delete("service", objects, selector="tier=x")
    assert shown.lines == (
        "2 services matching tier=x in namespace default will be deleted:",
        "  a",
        "  b",
    )
    assert shown.state == (("service a", "uid-a"), ("service b", "uid-b"))


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        ((("replicas", "3"),), (("replicas", "3"),), []),
        ((("replicas", "3"),), (("replicas", "4"),), ["replicas 3 → 4"]),
        (
            (("restarted at", ""),),
            (("restarted at", "2026-12-01T12:00:00Z"),),
            ["restarted at <none> → 2026-12-01T12:00:00Z"],
        ),
        ((("pod a", "x"),), (), ["pod a is gone"]),
        ((), (("image of side", "x:1"),), ["image of side is new"]),
        (
            (("pod a", "0b6bd0f4-7a1e-4f4c-9d2c-0e1f0e2a3b4c"),),
            (("pod a", "1b6bd0f4-7a1e-4f4c-9d2c-0e1f0e2a3b4c"),),
            ["pod a was replaced"],
        ),
    ],
)
def test_changes(before: preview.State, after: preview.State, said: list[str]) -> None:
    assert preview.changes(before, after) == said


def test_a_scale_elsewhere_changes_the_deployment_state() -> None:
    before = preview.deployment_state(deployment())
    after = preview.deployment_state(
        deployment(replicas=4, images=(("web", "nginx:1.29"), ("log", "fluent:1")))
    )
    assert preview.changes(before, after) == [
        "replicas 3 → 4",
        "image of web nginx:1.27 → nginx:1.29",
    ]


CAROL = Subject("U0CAROL", "carol", display="@carol", actor="slack:@carol")
BOB = Subject("U0BOB", "bob", display="@bob", actor="slack:@bob", groups=frozenset({"S0SRE"}))
POLICY = Policy(
    roles={
        "sre-lead": Role("sre-lead", (Rule(frozenset({"get"})),)),
        "rm": Role("rm", (Rule(frozenset({"scale"}), approvers=("sre-lead",)),)),
    },
    bindings=(
        Binding(("rm", "sre-lead"), users=frozenset({"U0CAROL", "U0DAVE"}), label="b0"),
        Binding(("sre-lead",), groups=frozenset({"S0SRE"}), channels=frozenset({"C1"}), label="b1"),
    ),
)


def test_who_holds_an_approver_role_where() -> None:
    assert approver_role(POLICY, BOB, Channel("C1"), ("sre-lead",)) == "sre-lead"
    assert approver_role(POLICY, BOB, Channel("C2"), ("sre-lead",)) is None
    assert approver_role(POLICY, BOB, Channel("D1", direct=True), ("sre-lead",)) is None


def test_refusals_name_who_can_approve() -> None:
    here = Channel("C1")
    assert self_approval(POLICY, ("sre-lead",), here, "U0CAROL") == (
        "You cannot approve your own request; it needs an approval by someone other than you "
        "holding sre-lead in this channel (U0DAVE or a member of S0SRE). You may cancel it."
    )
    assert not_an_approver(
        POLICY, ("sre-lead",), Channel("C2"), author="U0CAROL", author_name="@carol"
    ) == (
        "You may not approve this request of @carol: it needs an approval by someone other "
        "than @carol holding sre-lead in this channel (U0DAVE)."
    )
    assert who_can_approve(Policy(), ("x",), here, author="U1", other_than="you") == (
        "someone other than you holding x in this channel"
    )


def test_statefulsets_and_daemonsets_are_named_as_read() -> None:
    db = {
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "prod"},
        "spec": {"replicas": 3, "updateStrategy": {"type": "OnDelete"}},
    }
    assert preview.scale(db, 1).lines == ("statefulset db in namespace prod: 3 → 1 replica",)
    assert preview.restart(db).lines == (
        "statefulset db in namespace prod: all 3 replicas restart "
        "(OnDelete: each pod is replaced only when it is deleted)",
    )
    proxy = {
        "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
        "spec": {},
        "status": {"desiredNumberScheduled": 4},
    }
    assert preview.restart(proxy).lines == (
        "daemonset kube-proxy in namespace kube-system: all 4 replicas restart "
        "(RollingUpdate: new pods replace the old ones)",
    )
