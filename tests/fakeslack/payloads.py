"""Slack's inbound requests as the platform sends them: slash commands, button clicks, signatures.

The shapes follow docs.slack.dev (SlashCommand, block_actions payload); only the fields Bolt and the
bot read are guaranteed, but the rest are present so that nothing depends on their absence.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from tests.fakeslack.records import OPS_CHANNEL, SlackUser

TEAM_ID = "T0TEAM"
APP_ID = "A0K8S"


def slash_command(
    *,
    text: str,
    user: SlackUser,
    response_url: str,
    command: str = "/k8s",
    channel_id: str = OPS_CHANNEL,
    channel_name: str = "ops",
) -> dict[str, str]:
    """The form fields of a slash command invocation (also the Socket Mode payload)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "example",
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.1.trigger",
    }


def block_actions(
    *,
    action_id: str,
    value: str,
    user: SlackUser,
    response_url: str,
    channel_id: str = OPS_CHANNEL,
    message_ts: str = "1700000000.000100",
    is_ephemeral: bool = True,
) -> dict[str, Any]:
    """A ``block_actions`` payload for one button click on a message."""
    return {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        },
        "trigger_id": f"{int(time.time())}.2.trigger",
        "team": {"id": TEAM_ID, "domain": "example"},
        "channel": {"id": channel_id, "name": "ops"},
        "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "confirm",
                "value": value,
                "text": {"type": "plain_text", "text": "Confirm"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def form_body(fields: dict[str, str]) -> str:
    """Slash commands arrive form-urlencoded."""
    return urllib.parse.urlencode(fields)


def interaction_body(payload: dict[str, Any]) -> str:
    """Interactions arrive as one form field ``payload`` holding JSON."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def signature_headers(secret: str, body: str, *, timestamp: int | None = None) -> dict[str, str]:
    """``X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")`` and its timestamp."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
