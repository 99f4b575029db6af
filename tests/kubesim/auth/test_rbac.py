"""The RBAC rule matching and reasons, over plain objects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from kubesim.auth import rbac
from kubesim.auth.attributes import Attributes
from kubesim.auth.identity import UserInfo

JSON = dict[str, Any]
ALICE = UserInfo(name="alice", groups=("dev", "system:authenticated"))


def _attrs(
    verb: str, resource: str, *, group: str = "", sub: str = "", name: str = "", ns: str = "p"
) -> Attributes:
    return Attributes(
        user=ALICE,
        verb=verb,
        resource_request=True,
        namespace=ns,
        api_group=group,
        resource=resource,
        subresource=sub,
        name=name,
    )


@pytest.mark.parametrize(
    ("rule", "attrs", "allowed"),
    [
        ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, _attrs("get", "pods"), True),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
            _attrs("list", "pods"),
            False,
        ),
        (
            {"verbs": ["*"], "apiGroups": ["apps"], "resources": ["pods"]},
            _attrs("get", "pods"),
            False,
        ),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
            _attrs("get", "pods", sub="log"),
            False,
        ),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]},
            _attrs("get", "pods", sub="log"),
            True,
        ),
        (
            {"verbs": ["get"], "apiGroups": ["*"], "resources": ["*/scale"]},
            _attrs("get", "deployments", group="apps", sub="scale"),
            True,
        ),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["cm"], "resourceNames": ["a"]},
            _attrs("get", "cm", name="a"),
            True,
        ),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["cm"], "resourceNames": ["a"]},
            _attrs("get", "cm", name="b"),
            False,
        ),
        (
            {"verbs": ["get"], "apiGroups": [""], "resources": ["cm"], "resourceNames": ["a"]},
            _attrs("list", "cm"),
            False,
        ),
        (
            {"verbs": ["get"], "nonResourceURLs": ["/apis/*"]},
            Attributes(user=ALICE, verb="get", resource_request=False, path="/apis/apps"),
            True,
        ),
        (
            {"verbs": ["get"], "nonResourceURLs": ["/version"]},
            Attributes(user=ALICE, verb="get", resource_request=False, path="/version/x"),
            False,
        ),
    ],
)
def test_rule_allows(rule: JSON, attrs: Attributes, *, allowed: bool) -> None:
    assert rbac.rule_allows(attrs, rule) is allowed


class Objects:
    def __init__(self, *objects: JSON) -> None:
        self.objects = objects

    def _of(self, kind: str, namespace: str | None = None) -> list[JSON]:
        return [
            o
            for o in self.objects
            if o["kind"] == kind
            and (namespace is None or o["metadata"].get("namespace") == namespace)
        ]

    def cluster_role_bindings(self) -> Iterable[JSON]:
        return self._of("ClusterRoleBinding")

    def role_bindings(self, namespace: str) -> Iterable[JSON]:
        return self._of("RoleBinding", namespace)

    def cluster_role(self, name: str) -> JSON | None:
        return next((o for o in self._of("ClusterRole") if o["metadata"]["name"] == name), None)

    def role(self, namespace: str, name: str) -> JSON | None:
        return next((o for o in self._of("Role", namespace) if o["metadata"]["name"] == name), None)


READ_PODS = [{"verbs": ["list"], "apiGroups": [""], "resources": ["pods"]}]


def test_service_account_subjects_default_to_the_binding_namespace() -> None:
    bot = UserInfo(name="system:serviceaccount:p:bot")
    objects = Objects(
        {"kind": "Role", "metadata": {"name": "r", "namespace": "p"}, "rules": READ_PODS},
        {
            "kind": "RoleBinding",
            "metadata": {"name": "b", "namespace": "p"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "bot"}],
        },
    )
    decision = rbac.authorize(
        Attributes(user=bot, verb="list", resource_request=True, namespace="p", resource="pods"),
        objects,
    )
    assert decision == rbac.Decision(
        allowed=True,
        reason='RBAC: allowed by RoleBinding "b/p" of Role "r" to ServiceAccount "bot/p"',
    )
    elsewhere = Attributes(
        user=bot, verb="list", resource_request=True, namespace="q", resource="pods"
    )
    assert rbac.authorize(elsewhere, objects) == rbac.Decision(allowed=False)


def test_missing_roles_are_the_reason_of_a_denial() -> None:
    objects = Objects(
        {
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "a"},
            "roleRef": {"kind": "ClusterRole", "name": "gone"},
            "subjects": [{"kind": "Group", "name": "dev"}],
        },
        {
            "kind": "RoleBinding",
            "metadata": {"name": "b", "namespace": "p"},
            "roleRef": {"kind": "Role", "name": "lost"},
            "subjects": [{"kind": "User", "name": "alice"}],
        },
    )
    decision = rbac.authorize(_attrs("list", "pods"), objects)
    assert decision.reason == (
        'RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, '
        'role.rbac.authorization.k8s.io "lost" not found]'
    )


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        (
            _attrs("list", "pods", ns="prod"),
            'pods is forbidden: User "alice" cannot list resource "pods" in API group "" '
            'in the namespace "prod"',
        ),
        (
            _attrs("get", "deployments", group="apps", sub="scale", name="w"),
            'deployments.apps "w" is forbidden: User "alice" cannot get resource '
            '"deployments/scale" in API group "apps" in the namespace "p"',
        ),
        (
            _attrs("list", "nodes", ns=""),
            'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" '
            "at the cluster scope",
        ),
        (
            Attributes(user=ALICE, verb="get", resource_request=False, path="/metrics"),
            'forbidden: User "alice" cannot get path "/metrics"',
        ),
    ],
)
def test_forbidden_messages(attrs: Attributes, message: str) -> None:
    assert rbac.forbidden_message(attrs) == message
