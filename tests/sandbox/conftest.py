"""Fixtures: a running sandbox cluster per test, and typed clients for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.sandbox.harness import Sandbox, running_sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A cluster with its controllers running (the empty scenario, 10x speed)."""
    with running_sandbox(scenario="empty", speed=10.0) as sb:
        yield sb


@pytest.fixture
def still() -> Iterator[Sandbox]:
    """A cluster without controllers: nothing changes unless the test changes it."""
    with running_sandbox(scenario="empty", controllers=False, bookmark_interval=0.2) as sb:
        yield sb


@pytest.fixture
def api(still: Sandbox) -> Iterator[Any]:
    """An ApiClient for the still cluster."""
    with still.api_client() as api_client:
        yield api_client


@pytest.fixture
def core(api: Any) -> Any:
    """CoreV1Api on the still cluster."""
    return client.CoreV1Api(api)


@pytest.fixture
def apps(api: Any) -> Any:
    """AppsV1Api on the still cluster."""
    return client.AppsV1Api(api)


@pytest.fixture
def ns(core: Any) -> str:
    """A fresh, empty namespace on the still cluster."""
    core.create_namespace({"metadata": {"name": "test"}})
    return "test"
