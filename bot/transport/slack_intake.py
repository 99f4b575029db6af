"""Taking a verified Slack request: hand it to a worker, or tell its sender the bot is busy.

HTTP mode and Socket Mode both call ``Intake.take`` right after Slack's request has been
authenticated, with the payload and the job that will dispatch it to the Bolt app. Nothing
here waits: the answer is what goes back in Slack's ack, so the ack leaves within
milliseconds whatever the workers are doing. A slash command refused for lack of room gets the
"busy" reply in the ack itself (Slack shows an ack's message to the user alone); a click gets
it through its ``response_url``, sent by the workers' notice thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.core.replies import busy_reply
from bot.transport.blocks import to_slack
from bot.transport.slack_delivery import Delivery, Origin
from bot.transport.slack_workers import Job, Workers, waits_long

logger = logging.getLogger(__name__)

_BUSY: Final = to_slack(busy_reply())


def busy_ack() -> dict[str, Any]:
    """The ack payload of a slash command that could not be taken."""
    return {
        "response_type": "ephemeral",
        "text": _BUSY.text,
        "blocks": [block.to_dict() for block in _BUSY.blocks],
    }


@dataclass(frozen=True, slots=True)
class Intake:
    """The workers, and the delivery that tells a click's author the bot is busy."""

    workers: Workers
    delivery: Delivery

    def take(self, payload: Mapping[str, Any], dispatch: Job) -> dict[str, Any] | None:
        """Queue ``dispatch`` for ``payload``'s sender; the ack's payload (None: empty ack)."""
        command = "command" in payload
        user = _sender(payload)
        text = str(payload.get("text", "")) if command else ""
        long = waits_long(text)
        if self.workers.submit(user, dispatch, long=long):
            logger.debug(
                "queued a request of %s on the %s workers", user, "long" if long else "general"
            )
            return None
        logger.warning("busy: a request of %s was refused (no room in the workers)", user)
        if command:
            return busy_ack()
        url = payload.get("response_url")
        if isinstance(url, str) and url:
            origin = Origin(channel=_channel(payload), user_id=user, response_url=url)
            delivery = self.delivery

            def tell() -> None:
                delivery.reply(origin, busy_reply())

            self.workers.notify(tell)
        return None


def _sender(payload: Mapping[str, Any]) -> str:
    """Who sent it: ``user_id`` of a slash command, ``user.id`` of an interaction."""
    user = payload.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id", ""))
    return str(payload.get("user_id", ""))


def _channel(payload: Mapping[str, Any]) -> str:
    channel = payload.get("channel")
    if isinstance(channel, Mapping):
        return str(channel.get("id", ""))
    return str(payload.get("channel_id", ""))


def form_payload(form: Mapping[str, list[str]]) -> dict[str, Any]:
    """What an HTTP request carries: an interaction's ``payload`` JSON, else the form fields."""
    if "payload" in form:
        try:
            loaded = json.loads(form["payload"][0])
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return {key: values[0] for key, values in form.items() if values}
