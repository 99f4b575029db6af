"""Slack's side of the conversation: send a slash command or a click to the app under test.

``HttpSlack`` signs and POSTs to the app's ``/slack/events`` like Slack in HTTP mode;
``SocketSlack`` pushes envelopes over the fake's websocket. Both return what was sent and how
the app answered, so tests can then wait for the reply at the response_url or in the API calls.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from tests.fakeslack import payloads
from tests.fakeslack.records import ALICE, OPS_CHANNEL, Ack, SlackUser
from tests.fakeslack.server import FakeSlack


@dataclass(frozen=True, slots=True)
class Sent:
    """One request delivered to the app: its response_url and the app's immediate answer."""

    response_url: str
    status: int
    """HTTP status of the app's answer (Socket Mode: 200 once acked)."""
    body: str
    """The HTTP answer's body, or the ack's JSON payload (empty when none)."""


def post(url: str, body: str, headers: dict[str, str], *, timeout: float = 10.0) -> tuple[int, str]:
    """POST and return (status, body) whatever the status."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@dataclass(frozen=True, slots=True)
class HttpSlack:
    """Plays Slack for an app in HTTP mode: signed form posts to its request URL."""

    fake: FakeSlack
    app_url: str
    """e.g. ``http://127.0.0.1:PORT/slack/events``."""
    signing_secret: str

    def command(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Sent:
        """Send ``/k8s TEXT``; ``timestamp``/``secret`` let tests forge stale or bad signatures."""
        fields = self.fake.slash_command(text, user=user, channel=channel)
        body = payloads.form_body(fields)
        headers = payloads.signature_headers(
            secret or self.signing_secret, body, timestamp=timestamp
        )
        status, answer = post(self.app_url, body, headers)
        return Sent(fields["response_url"], status, answer)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        ephemeral: bool = True,
    ) -> Sent:
        """Click a button (``block_actions``) whose value is ``value``."""
        payload = self.fake.block_actions(
            action_id, value, user=user, channel=channel, ephemeral=ephemeral
        )
        body = payloads.interaction_body(payload)
        status, answer = post(
            self.app_url, body, payloads.signature_headers(self.signing_secret, body)
        )
        return Sent(str(payload["response_url"]), status, answer)


@dataclass(frozen=True, slots=True)
class SocketSlack:
    """Plays Slack for an app in Socket Mode: envelopes over the fake's websocket."""

    fake: FakeSlack
    session: int | None = None
    """Which open session gets the envelopes (in connection order); None: the newest, as
    Slack hands each envelope to one of an app's connections."""

    def command(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        timeout: float = 10.0,
    ) -> Sent:
        """Push a ``slash_commands`` envelope and wait for its ack."""
        fields = self.fake.slash_command(text, user=user, channel=channel)
        envelope = self.fake.socket.push(
            "slash_commands", dict(fields), accepts_response_payload=True, session=self.session
        )
        return _acked(fields["response_url"], self.fake.wait_ack(envelope, timeout=timeout))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        timeout: float = 10.0,
        ephemeral: bool = True,
    ) -> Sent:
        """Push an ``interactive`` envelope carrying a button click and wait for its ack."""
        payload = self.fake.block_actions(
            action_id, value, user=user, channel=channel, ephemeral=ephemeral
        )
        envelope = self.fake.socket.push("interactive", payload, session=self.session)
        return _acked(str(payload["response_url"]), self.fake.wait_ack(envelope, timeout=timeout))


def _acked(response_url: str, ack: Ack) -> Sent:
    return Sent(response_url, 200, json.dumps(ack.payload) if ack.payload else "")
