"""Graceful shutdown's wait for the requests in flight, bounded by the grace period."""

from __future__ import annotations

import threading
from typing import Any

from bot.transport.slack_app import build_app
from bot.transport.slack_clients import web_client
from bot.transport.slack_serve import finish_in_flight
from tests.fakeslack.server import running_fake_slack


class Idle:
    def handle(self, *_: Any, **__: Any) -> Any:
        raise AssertionError("not called")

    def answer(self, *_: Any, **__: Any) -> Any:
        raise AssertionError("not called")


def test_shutdown_waits_for_requests_in_flight_within_the_grace() -> None:
    with running_fake_slack() as fake:
        app = build_app(chatops=Idle(), client=web_client(fake.bot_token, base_url=fake.api_url))
        try:
            assert finish_in_flight(app, grace=0)  # nothing in flight
            release = threading.Event()
            assert app.intake.workers.submit("U0ALICE", release.wait)
            assert app.intake.workers.in_flight() == 1
            assert not finish_in_flight(app, grace=0.05)  # gives up: still running
            release.set()
            assert finish_in_flight(app, grace=30)
            assert app.intake.workers.in_flight() == 0
        finally:
            app.close()
