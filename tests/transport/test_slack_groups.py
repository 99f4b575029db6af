"""Group membership from the fake Slack over HTTP: cached for a TTL, refreshed, and a group
Slack cannot answer for matches nobody (with a warning)."""

from __future__ import annotations

import logging

import pytest

from bot.transport.slack_clients import web_client
from bot.transport.slack_groups import People, UserGroups
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


def test_people_gives_email_and_every_group_with_its_handle_cached() -> None:
    with running_fake_slack() as fake:
        fake.workspace.usergroups = {"S0OPS": ["U0BOB"], "S0SRE": ["U0ALICE", "U0BOB"]}
        fake.workspace.handles = {"S0OPS": "ops"}
        clock = Clock()
        client = web_client(fake.bot_token, base_url=fake.api_url)
        people = People(client, emails=True, groups=True, ttl=60, clock=clock)
        assert people.email_of("U0BOB") == "bob@example.com"
        assert people.groups_of("U0BOB") == (("S0OPS", "ops"), ("S0SRE", "s0sre"))
        assert people.groups_of("U0ALICE") == (("S0SRE", "s0sre"),)
        people.email_of("U0BOB")
        assert len(fake.calls_to("users.info")) == 1
        assert len(fake.calls_to("usergroups.list")) == 1
        fake.workspace.usergroups["S0OPS"] = []
        clock.now = 61
        assert people.groups_of("U0BOB") == (("S0SRE", "s0sre"),)


def test_people_asks_nothing_it_is_not_told_to() -> None:
    with running_fake_slack() as fake:
        client = web_client(fake.bot_token, base_url=fake.api_url)
        people = People(client, emails=False, groups=False)
        assert people.email_of("U0BOB") == ""
        assert people.groups_of("U0BOB") == ()
        assert fake.calls_to("users.info") == []
        assert fake.calls_to("usergroups.list") == []


def test_when_slack_cannot_say_people_have_no_email_and_no_groups(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running_fake_slack() as fake:
        fake.fail("users.info", status=404, times=10)
        fake.fail("usergroups.list", status=404, times=10)
        client = web_client(fake.bot_token, base_url=fake.api_url)
        people = People(client, emails=True, groups=True)
        with caplog.at_level(logging.WARNING, logger="bot.transport.slack_groups"):
            assert people.email_of("U0BOB") == ""
            assert people.groups_of("U0BOB") == ()
        assert "cannot ask Slack for the email of U0BOB" in caplog.text
        assert "people act in the cluster without their groups" in caplog.text
