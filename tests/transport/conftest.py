"""The transport tests' fixtures: the fake Slack, a scripted ChatOps, and the app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeslack import FakeSlack, HttpSlack, running_fake_slack
from tests.fakeslack.chatops import ScriptedChatOps
from tests.transport.http_app import serving_slack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack() as server:
        yield server


@pytest.fixture
def chatops() -> ScriptedChatOps:
    return ScriptedChatOps()


@pytest.fixture
def slack(fake: FakeSlack, chatops: ScriptedChatOps) -> Iterator[HttpSlack]:
    with serving_slack(fake, chatops) as served:
        yield served
