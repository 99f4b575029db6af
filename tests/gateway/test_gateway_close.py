"""Closing the gateway closes its connections to the API server."""

from __future__ import annotations

from urllib.parse import urlparse

from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import OPTIONS, established_to, run


def test_close_closes_the_connections(cluster: Sandbox) -> None:
    port = urlparse(cluster.url).port
    assert port is not None
    before = established_to(port)
    gateway = KubernetesGateway.from_kubeconfig(cluster.kubeconfig, options=OPTIONS)
    run(gateway, "get pods -A")
    run(gateway, "version")
    assert established_to(port) > before
    gateway.close()
    assert established_to(port) == before
