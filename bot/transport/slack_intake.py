"""Taking a verified Slack request: hand it to a worker, or tell its sender the bot is busy.

HTTP mode and Socket Mode both call ``Intake.take`` right after Slack's request has been
authenticated, with the payload and the job that will dispatch it to the Bolt app. Nothing
here waits: the answer is what goes back in Slack's ack, so the ack leaves within
milliseconds whatever the workers are doing. A slash command refused for lack of room gets the
"busy" reply in the ack itself (Slack shows an ack's message to the user alone); a click gets
it through its ``response_url``, sent by the workers' notice thread. A command text over the
bound is refused in the ack as well, before anything else reads it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from bot.core.grammar import MAX_COMMAND_BYTES, too_long
from bot.core.replies import busy_reply, error_reply
from bot.core.reply import Visibility
from bot.transport.blocks import RUN_ACTION, SlackMessage, to_slack
from bot.transport.slack_delivery import Delivery, Origin
from bot.transport.slack_workers import Job, Workers, waits_long

logger = logging.getLogger(__name__)

_BUSY: Final = to_slack(busy_reply())


def busy_ack() -> dict[str, Any]:
    """The ack payload of a slash command that could not be taken."""
    return _ack(_BUSY)


def too_long_ack(size: int) -> dict[str, Any]:
    """The ack payload refusing a slash command whose text has ``size`` bytes, too many."""
    return _ack(to_slack(error_reply(too_long(size), visibility=Visibility.EPHEMERAL)))


def text_bytes(payload: Mapping[str, Any]) -> int:
    """The UTF-8 length of a slash command's text (0 for anything else)."""
    text = payload.get("text") if "command" in payload else None
    return len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0


def _ack(message: SlackMessage) -> dict[str, Any]:
    return {
        "response_type": "ephemeral",
        "text": message.text,
        "blocks": [block.to_dict() for block in message.blocks],
    }


class Submit(Protocol):
    """Queues the request of ``user`` (on the pool for commands that wait, when ``long``);
    False when there is no room."""

    def __call__(self, user: str, *, long: bool) -> bool: ...


def admit(
    payload: Mapping[str, Any], submit: Submit, tell_busy: Callable[[Origin], None]
) -> dict[str, Any] | None:
    """Queue ``payload`` through ``submit``; the ack's payload (None: an empty ack).

    A command text over the bound is refused in the ack itself: nothing is queued, and no
    thread spends time on it. A command without room gets the "busy" reply in its ack; a click
    without room is told through ``tell_busy`` (its ack can carry no message).
    """
    size = text_bytes(payload)
    if size > MAX_COMMAND_BYTES:
        return refuse_too_long(payload, size)
    command = "command" in payload
    user = _sender(payload)
    text = str(payload.get("text", "")) if command else _button_command(payload)
    long = waits_long(text)
    if submit(user, long=long):
        logger.debug(
            "queued a request of %s on the %s workers", user, "long" if long else "general"
        )
        return None
    logger.warning("busy: a request of %s was refused (no room in the workers)", user)
    if command:
        return busy_ack()
    origin = origin_of(payload)
    if origin is not None:
        tell_busy(origin)
    return None


def refuse_too_long(payload: Mapping[str, Any], size: int) -> dict[str, Any]:
    """The ack refusing a command of ``size`` bytes (logged: it never reaches the service, so
    the audit trail does not record it)."""
    user = _sender(payload)
    logger.warning("refused a command of %d bytes from %s in the ack", size, user)
    return too_long_ack(size)


def origin_of(payload: Mapping[str, Any]) -> Origin | None:
    """Where a request's answer can go: its ``response_url`` (None when it has none)."""
    url = payload.get("response_url")
    if not isinstance(url, str) or not url:
        return None
    return Origin(channel=_channel(payload), user_id=_sender(payload), response_url=url)


@dataclass(frozen=True, slots=True)
class Intake:
    """The workers, and the delivery that tells a click's author the bot is busy."""

    workers: Workers
    delivery: Delivery

    def take(self, payload: Mapping[str, Any], dispatch: Job) -> dict[str, Any] | None:
        """Queue ``dispatch`` for ``payload``'s sender (``admit``); the ack's payload."""

        def submit(user: str, *, long: bool) -> bool:
            return self.workers.submit(user, dispatch, long=long)

        return admit(payload, submit, self.tell_busy)

    def tell_busy(self, origin: Origin) -> None:
        """Tell a request's author, at its ``response_url``, that the bot had no room for it."""
        delivery = self.delivery

        def tell() -> None:
            delivery.reply(origin, busy_reply())

        self.workers.notify(tell)


def _sender(payload: Mapping[str, Any]) -> str:
    """Who sent it: ``user_id`` of a slash command, ``user.id`` of an interaction."""
    user = payload.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id", ""))
    return str(payload.get("user_id", ""))


def _button_command(payload: Mapping[str, Any]) -> str:
    """The command a clicked command button carries (``rollout status`` waits long), else ""."""
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
        return ""
    action = actions[0]
    if not str(action.get("action_id", "")).startswith(RUN_ACTION):
        return ""
    return str(action.get("value", ""))


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
