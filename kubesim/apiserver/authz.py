"""Authorization: ``system:masters`` first (the privileged-group authorizer), then RBAC over the
roles and bindings in the store; a denial is a 403 with the apiserver's wording.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubesim.api import status
from kubesim.api.resources import by_kind
from kubesim.auth import rbac
from kubesim.auth.attributes import Attributes
from kubesim.storage.store import Store

JSON = rbac.JSON


class StoreRbac:
    """The RBAC objects of a store, as the authorizer reads them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def cluster_role_bindings(self) -> Iterable[JSON]:
        """Every ClusterRoleBinding, by name."""
        return self._store.scan(by_kind("ClusterRoleBinding"))

    def role_bindings(self, namespace: str) -> Iterable[JSON]:
        """The RoleBindings of ``namespace``, by name."""
        return self._store.scan(by_kind("RoleBinding"), namespace)

    def cluster_role(self, name: str) -> JSON | None:
        """One ClusterRole."""
        return self._store.peek(by_kind("ClusterRole"), None, name)

    def role(self, namespace: str, name: str) -> JSON | None:
        """One Role."""
        return self._store.peek(by_kind("Role"), namespace, name)


class Authorizer:
    """Decides requests for one sandbox."""

    def __init__(self, store: Store) -> None:
        self.objects = StoreRbac(store)

    def authorize(self, attrs: Attributes) -> rbac.Decision:
        """Allowed for ``system:masters``; otherwise what RBAC says."""
        if attrs.user.privileged:
            return rbac.Decision(allowed=True)
        return rbac.authorize(attrs, self.objects)

    def require(self, attrs: Attributes) -> None:
        """Raise the 403 a real apiserver answers when ``attrs`` is not allowed."""
        decision = self.authorize(attrs)
        if not decision.allowed:
            raise forbidden(attrs, decision.reason)


def forbidden(attrs: Attributes, reason: str = "") -> status.ApiError:
    """403 Forbidden for ``attrs``."""
    return status.ApiError(
        403,
        "Forbidden",
        rbac.forbidden_message(attrs, reason),
        details=rbac.forbidden_details(attrs),
    )
