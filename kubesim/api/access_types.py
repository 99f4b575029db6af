"""Who may do what: the RBAC objects, then the create-only reviews of the authentication and
authorization groups."""

from __future__ import annotations

from kubesim.api.resource_type import ResourceType

ACCESS: tuple[ResourceType, ...] = (
    *(
        ResourceType(
            group="rbac.authorization.k8s.io",
            version="v1",
            kind=kind,
            plural=f"{kind.lower()}s",
            singular=kind.lower(),
            namespaced=not kind.startswith("Cluster"),
        )
        for kind in ("ClusterRoleBinding", "ClusterRole", "RoleBinding", "Role")
    ),
    *(
        ResourceType(
            group=group,
            version="v1",
            kind=kind,
            plural=f"{kind.lower()}s",
            singular=kind.lower(),
            namespaced=kind.startswith("Local"),
            verbs=("create",),
            review=True,
        )
        for group, kind in (
            ("authentication.k8s.io", "SelfSubjectReview"),
            ("authorization.k8s.io", "LocalSubjectAccessReview"),
            ("authorization.k8s.io", "SelfSubjectAccessReview"),
            ("authorization.k8s.io", "SelfSubjectRulesReview"),
            ("authorization.k8s.io", "SubjectAccessReview"),
        )
    ),
)
