"""Fixtures: the real gateway against a sandbox cluster over HTTP(S), plus a ``run`` helper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.gateway.support import OPTIONS


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    """The demo cluster, shared by a module's read-only tests."""
    with running_sandbox(scenario="demo", speed=20.0) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def gateway(demo: Sandbox) -> Iterator[KubernetesGateway]:
    """The gateway for the shared demo cluster."""
    gw = KubernetesGateway(demo.api_client(), options=OPTIONS)
    yield gw
    gw.close()


@pytest.fixture
def cluster() -> Iterator[Sandbox]:
    """A demo cluster of the test's own, for tests that change things."""
    with running_sandbox(scenario="demo", speed=20.0) as sandbox:
        yield sandbox


@pytest.fixture
def gw(cluster: Sandbox) -> Iterator[KubernetesGateway]:
    """The gateway for the test's own cluster."""
    gateway = KubernetesGateway(cluster.api_client(), options=OPTIONS)
    yield gateway
    gateway.close()
