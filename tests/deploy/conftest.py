"""The workload's three runs, shared by the package's tests (each starts a sandbox and a bot)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.played import Played, played_as_account


@pytest.fixture(
    scope="package",
    params=[(), ("delete",), ("impersonate",)],
    ids=["base", "delete", "impersonate"],
)
def played(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Played]:
    """The bot as its ServiceAccount after the workload, with deploy/ (and a component) applied."""
    with played_as_account(tmp_path_factory.mktemp("played"), request.param) as done:
        yield done
