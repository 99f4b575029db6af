"""Group membership from the fake Slack over HTTP: cached for a TTL, refreshed, and a group
Slack cannot answer for matches nobody (with a warning)."""

from __future__ import annotations

import logging

import pytest

from bot.transport.slack_clients import web_client
from bot.transport.slack_groups import UserGroups
from tests.fakeslack import running_fake_slack


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_members_are_cached_for_the_ttl_then_asked_again() -> None:
    with running_fake_slack() as fake:
        fake.workspace.usergroups = {"S0DEPLOY": ["U0BOB"], "S0SRE": ["U0ALICE", "U0BOB"]}
        clock = Clock()
        client = web_client(fake.bot_token, base_url=fake.api_url)
        groups = UserGroups(client, ["S0DEPLOY", "S0SRE"], ttl=60, clock=clock)
        assert groups.of("U0BOB") == {"S0DEPLOY", "S0SRE"}
        assert groups.of("U0ALICE") == {"S0SRE"}
        asked = fake.calls_to("usergroups.users.list")
        assert [c.params["usergroup"] for c in asked] == ["S0DEPLOY", "S0SRE"]
        fake.workspace.usergroups["S0DEPLOY"] = []
        clock.now = 30
        assert groups.of("U0BOB") == {"S0DEPLOY", "S0SRE"}
        clock.now = 61
        assert groups.of("U0BOB") == {"S0SRE"}


def test_a_group_slack_cannot_answer_for_matches_nobody(caplog: pytest.LogCaptureFixture) -> None:
    with running_fake_slack() as fake:
        fake.workspace.usergroups = {"S0SRE": ["U0BOB"]}
        client = web_client(fake.bot_token, base_url=fake.api_url)
        groups = UserGroups(client, ["S0GONE", "S0SRE"])
        with caplog.at_level(logging.WARNING, logger="bot.transport.slack_groups"):
            assert groups.of("U0BOB") == {"S0SRE"}
        assert "cannot ask Slack for the members of user group S0GONE (no_such_subteam)" in (
            caplog.text
        )
