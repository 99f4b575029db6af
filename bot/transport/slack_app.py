"""The Slack app: the slash command and the confirm buttons, wired to ChatOps with Bolt.

Slack wants every command and click acknowledged within 3 seconds, and a Kubernetes call can
take longer (``rollout status`` waits for the rollout), so each listener acks first and then
works: with Bolt's default ``process_before_response=False`` the ack is sent as soon as
``ack()`` runs and the rest of the listener continues on Bolt's listener executor. The same
``App`` serves Socket Mode and HTTP mode; only the way requests reach ``App.dispatch`` differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.replies import failure_reply
from bot.core.reply import Reply
from bot.core.subject import Subject
from bot.core.wording import typed
from bot.service.service import Request
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from bot.transport.slack_delivery import Delivery, Origin
from bot.transport.slack_payloads import (
    ActionChannel,
    ActionContainer,
    BlockActions,
    ButtonAction,
    SlashCommand,
    action_subject,
    command_subject,
)
from bot.transport.slack_progress import PROGRESS_AFTER, ProgressNote

logger = logging.getLogger(__name__)

LISTENER_THREADS = 16
"""Commands run concurrently on this many threads (Bolt's default is 5, small for long waits)."""


class ChatOpsPort(Protocol):
    """What the Slack app needs of the service (``bot.service.service.ChatOps``)."""

    def handle(self, request: Request) -> Reply: ...

    def answer(
        self, subject: Subject, token: str, *, approved: bool, channel: str = ""
    ) -> Reply: ...


def build_app(
    *,
    chatops: ChatOpsPort,
    client: WebClient,
    command: str = "/k8s",
    signing_secret: str | None = None,
    listener_threads: int = LISTENER_THREADS,
    progress_after: float | None = PROGRESS_AFTER,
) -> App:
    """A Bolt ``App`` answering ``command`` and the confirm buttons through ``chatops``.

    ``client`` comes from ``slack_clients.web_client`` (retries 429s; honours SLACK_API_URL);
    Bolt calls ``auth.test`` with it at once, so a wrong token fails here, at start-up.
    ``signing_secret`` is required for HTTP mode, where Bolt verifies every request with it;
    Socket Mode needs none (the websocket is authenticated by the app token).
    ``progress_after``: seconds before a "working on it" note (None: never).
    """
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        listener_executor=ThreadPoolExecutor(
            max_workers=listener_threads, thread_name_prefix="slack-listener"
        ),
        logger=logging.getLogger("bot.transport.bolt"),
    )
    listeners = _Listeners(
        chatops, Delivery(client), command=command, progress_after=progress_after
    )
    app.command(command)(listeners.on_command)
    app.action(CONFIRM_ACTION)(listeners.on_confirm)
    app.action(DENY_ACTION)(listeners.on_deny)
    return app


class _Listeners:
    """Bolt listeners; Bolt injects arguments by parameter name, hence the plain signatures."""

    def __init__(
        self,
        chatops: ChatOpsPort,
        delivery: Delivery,
        *,
        command: str,
        progress_after: float | None,
    ) -> None:
        self._chatops = chatops
        self._delivery = delivery
        self._command = command
        self._progress_after = progress_after

    def on_command(self, ack: Ack, command: SlashCommand) -> None:
        """``/k8s TEXT``: ack at once, run the command, deliver the reply."""
        ack()
        subject = command_subject(command)
        origin = Origin(
            channel=command.get("channel_id", ""),
            user_id=subject.user_id,
            response_url=command.get("response_url"),
        )
        request = Request(subject=subject, channel=origin.channel, text=command.get("text", ""))
        shown = typed(self._command, request.text)
        note = ProgressNote(
            lambda: self._delivery.progress(origin, shown), after=self._progress_after
        )
        try:
            with note:
                reply = self._chatops.handle(request)
        except Exception:  # ChatOps returns errors as replies; this is the last guard
            logger.exception("unexpected failure while handling a slash command")
            reply = failure_reply()
        self._deliver(lambda: self._delivery.reply(origin, reply, after_progress=note.posted))

    def on_confirm(self, ack: Ack, body: BlockActions) -> None:
        """The Confirm button of a parked damaging command."""
        ack()
        self._settle(body, approved=True)

    def on_deny(self, ack: Ack, body: BlockActions) -> None:
        """The Cancel button of a parked damaging command."""
        ack()
        self._settle(body, approved=False)

    def _settle(self, body: BlockActions, *, approved: bool) -> None:
        subject = action_subject(body)
        container = body.get("container") or ActionContainer()
        channel = (body.get("channel") or ActionChannel()).get("id") or container.get("channel_id")
        channel = channel or ""
        origin = Origin(
            channel=channel, user_id=subject.user_id, response_url=body.get("response_url")
        )
        actions = body.get("actions") or [ButtonAction()]
        token = actions[0].get("value", "")
        try:
            reply = self._chatops.answer(subject, token, approved=approved, channel=origin.channel)
        except Exception:
            logger.exception("unexpected failure while answering a confirmation")
            reply = failure_reply()
        private = bool(container.get("is_ephemeral", False))
        self._deliver(lambda: self._delivery.settle(origin, reply, prompt_is_private=private))

    @staticmethod
    def _deliver(send: Callable[[], None]) -> None:
        try:
            send()
        except Exception:  # a rendering or delivery bug must not kill the listener thread silently
            logger.exception("could not deliver a reply to Slack")
