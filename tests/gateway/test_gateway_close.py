"""Closing the gateway closes its connections to the API server."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
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


def test_connections_of_concurrent_calls_are_kept_for_the_next(cluster: Sandbox) -> None:
    # Sixteen calls at once, each held by the server: with urllib3's default pool (10 here)
    # six of the connections would be dropped on return and redone by the next burst.
    port = urlparse(cluster.url).port
    assert port is not None
    before = established_to(port)
    options = dataclasses.replace(OPTIONS, connections=16)
    gateway = KubernetesGateway.from_kubeconfig(cluster.kubeconfig, options=options)
    run(gateway, "get pods")  # discovery first, so that the burst is 16 list calls
    # Every call starts at once and is held 2 s, so that no call ends (and hands its
    # connection to a later one) before the last has begun, however slow the machine.
    cluster.faults.delay(2.0, path="/api/v1/namespaces/default/pods")
    together = threading.Barrier(16)

    def call(_: int) -> None:
        together.wait(timeout=30)
        run(gateway, "get pods")

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(call, range(16)))
        assert established_to(port) - before == 16
    finally:
        cluster.faults.clear()
        gateway.close()
