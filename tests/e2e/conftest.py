"""One bot per transport mode for the whole e2e session (a cluster and a fake Slack each).

``any_stack`` (and its ``target``) is the cluster-agnostic bot: on the sandbox in ``make test``,
on the cluster ``KUBECONFIG`` names in ``make test-cluster``; ``stack`` is the sandbox's, for
the tests marked ``sandbox_only``. Tests share the cluster, so each one works on its own
objects (or only reads), and state assertions name the objects they changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from tests.e2e.stack import Stack, running_stack
from tests.e2e.target import AnyStack, Target, on_real_cluster, running_any_stack, running_target


@pytest.fixture(scope="package", params=["http", "socket"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    mode = str(request.param)
    with running_stack(mode, tmp_path_factory.mktemp(f"e2e-{mode}")) as running:
        yield running
        # Nothing the bot sent may have been refused: no spent response_url (5 uses), no
        # invalid blocks, no failed Web API call (tests that inject 429s expect the retry).
        assert [p for p in running.fake.responses if p.status != 200] == []
        assert [c for c in running.fake.calls if not c.ok and c.status != 429] == []


@pytest.fixture(scope="package", params=["http", "socket"])
def any_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AnyStack]:
    """The bot in each mode on a namespace of its own, of the sandbox or of a real cluster."""
    mode = str(request.param)
    workdir = tmp_path_factory.mktemp(f"any-{mode}")
    with running_target() as target, running_any_stack(target, workdir, mode=mode) as running:
        yield running
        assert [p for p in running.fake.responses if p.status != 200] == []
        assert [c for c in running.fake.calls if not c.ok and c.status != 429] == []


@pytest.fixture(scope="package")
def target(any_stack: AnyStack) -> Target:
    """The cluster and namespace of ``any_stack``."""
    return any_stack.target


@pytest.fixture
def core(stack: Stack) -> Iterator[Any]:
    """CoreV1Api on the stack's sandbox, to check the cluster's state independently."""
    api = stack.sandbox.api_client()
    try:
        yield client.CoreV1Api(api)
    finally:
        api.close()


@pytest.fixture
def apps(stack: Stack) -> Iterator[Any]:
    """AppsV1Api on the stack's sandbox."""
    api = stack.sandbox.api_client()
    try:
        yield client.AppsV1Api(api)
    finally:
        api.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On a real cluster (``make test-cluster``) skip, and so list with its reason, each
    sandbox-only test."""
    if not on_real_cluster():
        return
    for item in items:
        if marker := item.get_closest_marker("sandbox_only"):
            reason = str(marker.kwargs.get("reason", "no reason given"))
            item.add_marker(pytest.mark.skip(reason=f"sandbox only: {reason}"))
