"""Fixtures: a running sandbox cluster per test, typed clients for it, and kubectl as its judge.

A module that sets ``JUDGE = Judge(...)`` (see kubectl.py) shares one sandbox among its tests,
with a kubectl bound to it: there ``sandbox`` is that shared cluster, not a fresh one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from kubesim.testing.harness import Sandbox, running_sandbox
from tests.kubesim.kubectl import Judge, Kubectl, judged_sandbox


def _judge(request: pytest.FixtureRequest) -> Judge | None:
    judge = getattr(request.module, "JUDGE", None)
    return judge if isinstance(judge, Judge) else None


@pytest.fixture(scope="module")
def judged(request: pytest.FixtureRequest) -> Iterator[tuple[Sandbox, Kubectl]]:
    """The module's shared sandbox and its kubectl (skipped locally, failed on CI, without one)."""
    judge = _judge(request)
    if judge is None:
        pytest.fail(f"{request.module.__name__} uses kubectl's judge without JUDGE = Judge(...)")
    with judged_sandbox(scenario=judge.scenario, speed=judge.speed) as pair:
        yield pair


@pytest.fixture
def kubectl(judged: tuple[Sandbox, Kubectl]) -> Kubectl:
    """kubectl bound to the module's shared sandbox."""
    return judged[1]


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A cluster with its controllers running (the empty scenario, 10x speed), or, in a module
    with ``JUDGE``, the sandbox its kubectl talks to."""
    if _judge(request) is not None:
        shared: tuple[Sandbox, Kubectl] = request.getfixturevalue("judged")
        yield shared[0]
        return
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
