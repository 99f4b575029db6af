"""The workload's three runs, shared by the package's tests (each starts a sandbox and a bot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``make test``'s workers (``--dist loadgroup``), the tests of one workload run, and
    those of the installed image, each go to one worker, so that each is built once a run
    rather than once per worker that draws one of its tests."""
    here = Path(__file__).parent
    for item in items:
        if item.path.parent != here:
            continue
        callspec = getattr(item, "callspec", None)
        if item.path.name == "test_image.py":
            item.add_marker(pytest.mark.xdist_group("deploy-image"))
            # Its session fixture builds and installs the wheel: ~30 s alone, but past the
            # suite's 120 s hang guard beside three busy workers on a loaded machine (its pip
            # calls have their own 600 s limit).
            item.add_marker(pytest.mark.timeout(600))
        elif callspec is not None and "played" in callspec.params:
            components = callspec.params["played"]
            item.add_marker(pytest.mark.xdist_group("played-" + ("+".join(components) or "base")))
