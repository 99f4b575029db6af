"""What ``k8s-chatops check`` asks the cluster: its version, and whether the bot may do each
thing its verbs need, as a SelfSubjectAccessReview (the API server answers for the caller's own
identity, service account or kubeconfig user, with its real RBAC)."""

from __future__ import annotations

from kubernetes.client import ApiClient

from bot.core import kube
from bot.core.rbac import Access
from bot.gateway import client as clients
from bot.gateway.api import Api

REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


class AccessReviews:
    """One connection to the API server for the checks."""

    def __init__(self, api_client: ApiClient, *, timeout: float = 10.0) -> None:
        self._client = clients.prepared(api_client, connections=2)
        self._api = Api(self._client, timeout=timeout, connect_timeout=min(5.0, timeout))

    @property
    def server(self) -> str:
        """The API server's URL."""
        host: str = self._client.configuration.host
        return host

    def version(self) -> str:
        """The server's ``gitVersion``; raises ``ClusterError`` when it cannot be reached."""
        return kube.text(self._api.get("/version"), "gitVersion") or "unknown"

    def allowed(self, access: Access, *, namespace: str = "") -> tuple[bool, str]:
        """Whether the caller may do ``access`` (in ``namespace``; empty: every namespace),
        and the server's reason."""
        spec: dict[str, object]
        if access.path:
            spec = {"nonResourceAttributes": {"path": access.path, "verb": access.verb}}
        else:
            attributes = {
                "verb": access.verb,
                "group": access.group,
                "resource": access.resource,
                "subresource": access.subresource,
                "namespace": namespace,
            }
            spec = {"resourceAttributes": {k: v for k, v in attributes.items() if v}}
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": spec,
        }
        status = kube.mapping(self._api.json("POST", REVIEWS, body=body), "status")
        return status.get("allowed") is True, kube.text(status, "reason")

    def close(self) -> None:
        """Close the connections."""
        clients.close(self._client)
