"""The default ClusterRoles and ClusterRoleBindings a real cluster bootstraps (the ones the sandbox
needs): discovery, self-reviews and public info for every authenticated identity, cluster-admin
for ``system:masters``, and the user-facing ``view``/``edit``/``admin`` roles (written out flat;
a real cluster aggregates them). Source: ``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]
_API = "rbac.authorization.k8s.io/v1"
_META = {
    "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
    "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
}

_READ = ["get", "list", "watch"]
_WRITE = ["create", "delete", "deletecollection", "patch", "update"]
_VIEW_CORE = [
    "configmaps",
    "endpoints",
    "persistentvolumeclaims",
    "persistentvolumeclaims/status",
    "pods",
    "replicationcontrollers",
    "replicationcontrollers/scale",
    "serviceaccounts",
    "services",
    "services/status",
    "bindings",
    "events",
    "limitranges",
    "namespaces/status",
    "pods/log",
    "pods/status",
    "replicationcontrollers/status",
    "resourcequotas",
    "resourcequotas/status",
    "namespaces",
]
_VIEW_APPS = [
    "controllerrevisions",
    "daemonsets",
    "daemonsets/status",
    "deployments",
    "deployments/scale",
    "deployments/status",
    "replicasets",
    "replicasets/scale",
    "replicasets/status",
    "statefulsets",
    "statefulsets/scale",
    "statefulsets/status",
]


def _rule(verbs: list[str], groups: list[str], resources: list[str]) -> JSON:
    return {"verbs": verbs, "apiGroups": groups, "resources": resources}


def _cluster_role(name: str, rules: list[JSON]) -> JSON:
    return {
        "apiVersion": _API,
        "kind": "ClusterRole",
        "metadata": {"name": name, **_META},
        "rules": rules,
    }


def _binding(name: str, role: str, *groups: str) -> JSON:
    return {
        "apiVersion": _API,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, **_META},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g} for g in groups
        ],
    }


def _view_rules() -> list[JSON]:
    return [
        _rule(_READ, [""], _VIEW_CORE),
        _rule(_READ, ["apps"], _VIEW_APPS),
        _rule(_READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        _rule(_READ, ["discovery.k8s.io"], ["endpointslices"]),
        _rule(_READ, ["coordination.k8s.io"], ["leases"]),
    ]


def _edit_rules() -> list[JSON]:
    core = [r for r in _VIEW_CORE if "/status" not in r and r not in ("namespaces", "bindings")]
    apps = [r for r in _VIEW_APPS if "/status" not in r]
    return [
        *_view_rules(),
        _rule([*_WRITE], [""], [*core, "secrets", "pods/eviction", "pods/exec"]),
        _rule(_READ, [""], ["secrets"]),
        _rule(["impersonate"], [""], ["serviceaccounts"]),
        _rule(["create"], [""], ["serviceaccounts/token"]),
        _rule([*_WRITE], ["apps"], apps),
        _rule([*_WRITE], ["batch"], ["cronjobs", "jobs"]),
        _rule([*_WRITE], ["coordination.k8s.io"], ["leases"]),
    ]


def _admin_rules() -> list[JSON]:
    return [
        *_edit_rules(),
        _rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        _rule(
            [*_READ, *_WRITE],
            ["rbac.authorization.k8s.io"],
            ["rolebindings", "roles"],
        ),
    ]


def objects() -> list[JSON]:
    """The bootstrap ClusterRoles, then their ClusterRoleBindings."""
    everything = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
    return [
        _cluster_role("cluster-admin", [everything, {"verbs": ["*"], "nonResourceURLs": ["*"]}]),
        _cluster_role(
            "system:discovery",
            [
                {
                    "verbs": ["get"],
                    "nonResourceURLs": [
                        "/api",
                        "/api/*",
                        "/apis",
                        "/apis/*",
                        "/healthz",
                        "/livez",
                        "/openapi",
                        "/openapi/*",
                        "/readyz",
                        "/version",
                        "/version/",
                    ],
                }
            ],
        ),
        _cluster_role(
            "system:basic-user",
            [
                _rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
                _rule(
                    ["create"],
                    ["authorization.k8s.io"],
                    ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
            ],
        ),
        _cluster_role(
            "system:public-info-viewer",
            [
                {
                    "verbs": ["get"],
                    "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"],
                }
            ],
        ),
        _cluster_role("admin", _admin_rules()),
        _cluster_role("edit", _edit_rules()),
        _cluster_role("view", _view_rules()),
        _binding("cluster-admin", "cluster-admin", "system:masters"),
        _binding("system:discovery", "system:discovery", "system:authenticated"),
        _binding("system:basic-user", "system:basic-user", "system:authenticated"),
        _binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            "system:authenticated",
            "system:unauthenticated",
        ),
    ]
