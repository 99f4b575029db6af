"""rbac.authorization.k8s.io/v1, authentication.k8s.io/v1 and authorization.k8s.io/v1: roles,
bindings, token requests and access reviews."""

from __future__ import annotations

from kubesim.apiserver.messages.field import Field
from kubesim.apiserver.messages.field import field as _f

MESSAGES: dict[str, dict[int, Field]] = {
    # rbac.authorization.k8s.io/v1
    "PolicyRule": {
        1: _f("verbs", repeated=True),
        2: _f("apiGroups", repeated=True),
        3: _f("resources", repeated=True),
        4: _f("resourceNames", repeated=True),
        5: _f("nonResourceURLs", repeated=True),
    },
    "AggregationRule": {1: _f("clusterRoleSelectors", "LabelSelector", repeated=True)},
    "Role": {1: _f("metadata", "ObjectMeta"), 2: _f("rules", "PolicyRule", repeated=True)},
    "ClusterRole": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("rules", "PolicyRule", repeated=True),
        3: _f("aggregationRule", "AggregationRule"),
    },
    "Subject": {1: _f("kind"), 2: _f("apiGroup"), 3: _f("name"), 4: _f("namespace")},
    "RoleRef": {1: _f("apiGroup"), 2: _f("kind"), 3: _f("name")},
    "RoleBinding": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("subjects", "Subject", repeated=True),
        3: _f("roleRef", "RoleRef"),
    },
    # authentication.k8s.io/v1 and authorization.k8s.io/v1: what kubectl create token and
    # kubectl auth can-i / whoami send
    "TokenRequest": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "TokenRequestSpec"),
        3: _f("status", "Empty"),
    },
    "TokenRequestSpec": {
        1: _f("audiences", repeated=True),
        3: _f("boundObjectRef", "BoundObjectReference"),
        4: _f("expirationSeconds", "int", pointer=True),
    },
    "BoundObjectReference": {1: _f("kind"), 2: _f("apiVersion"), 3: _f("name"), 4: _f("uid")},
    "SelfSubjectReview": {1: _f("metadata", "ObjectMeta"), 2: _f("status", "Empty")},
    "ResourceAttributes": {
        1: _f("namespace"),
        2: _f("verb"),
        3: _f("group"),
        4: _f("version"),
        5: _f("resource"),
        6: _f("subresource"),
        7: _f("name"),
    },
    "NonResourceAttributes": {1: _f("path"), 2: _f("verb")},
    "SelfSubjectAccessReviewSpec": {
        1: _f("resourceAttributes", "ResourceAttributes"),
        2: _f("nonResourceAttributes", "NonResourceAttributes"),
    },
    "SelfSubjectAccessReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SelfSubjectAccessReviewSpec"),
        3: _f("status", "Empty"),
    },
    "SelfSubjectRulesReviewSpec": {1: _f("namespace")},
    "SelfSubjectRulesReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SelfSubjectRulesReviewSpec"),
        3: _f("status", "Empty"),
    },
    "ExtraValue": {1: _f("items", repeated=True)},
    "SubjectAccessReviewSpec": {
        1: _f("resourceAttributes", "ResourceAttributes"),
        2: _f("nonResourceAttributes", "NonResourceAttributes"),
        3: _f("user"),
        4: _f("groups", repeated=True),
        6: _f("uid"),
    },
    "SubjectAccessReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SubjectAccessReviewSpec"),
        3: _f("status", "Empty"),
    },
}
MESSAGES["ClusterRoleBinding"] = MESSAGES["RoleBinding"]
MESSAGES["LocalSubjectAccessReview"] = MESSAGES["SubjectAccessReview"]
