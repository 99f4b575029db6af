"""The Slack app in HTTP mode as the transport tests serve it: a scripted ChatOps behind real HTTP,
against the fake Slack, signed with ``SECRET``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.transport.slack_app import build_app
from bot.transport.slack_clients import web_client
from bot.transport.slack_http import running_http
from tests.fakeslack import FakeSlack, HttpSlack
from tests.fakeslack.chatops import ScriptedChatOps

SECRET = "0123456789abcdef0123456789abcdef"


@contextmanager
def serving_slack(fake: FakeSlack, chatops: ScriptedChatOps) -> Iterator[HttpSlack]:
    """The app built on ``chatops``, served over HTTP for the duration."""
    client = web_client(fake.bot_token, base_url=fake.api_url)
    app = build_app(chatops=chatops, client=client, signing_secret=SECRET, progress_after=None)
    with running_http(app) as url:
        yield HttpSlack(fake, url, SECRET)
    app.close()
