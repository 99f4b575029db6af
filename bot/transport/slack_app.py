"""The Slack app: the slash command, the confirm buttons and the command buttons (a rollout
message's Logs, Status, Undo: the command a button carries runs as if its clicker had typed
it), wired to ChatOps with Bolt.

Slack wants every command and click acknowledged within 3 seconds, and a Kubernetes call can
take longer (``rollout status`` waits for the rollout). So Bolt never sends the ack: HTTP mode
(``slack_http``) and Socket Mode (``slack_socket``) ack each request as soon as it is
authenticated, and hand it to the bounded workers (``slack_workers``), which run
``App.dispatch``. Bolt still routes the request to its listener and parses the payload; it runs
with ``process_before_response=True``, so the listener runs on the worker's thread and Bolt's
ack wait (it polls every 10 ms, ``slack_bolt/listener/thread_runner.py``) and its own listener
threads are out of the way: a busy bot can no longer leave an ack unsent or answer 404.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.core.pending import PromptPlace
from bot.core.replies import failure_reply
from bot.core.reply import Reply
from bot.core.subject import Subject
from bot.core.wording import typed
from bot.service.ports import Deliver
from bot.service.service import Request
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION, RUN_ACTION
from bot.transport.slack_clients import responder_for
from bot.transport.slack_delivery import Delivery, Origin
from bot.transport.slack_groups import People, UserGroups
from bot.transport.slack_intake import Intake
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
from bot.transport.slack_workers import Workers, WorkerSizes

logger = logging.getLogger(__name__)


class ChatOpsPort(Protocol):
    """What the Slack app needs of the service (``bot.service.service.ChatOps``)."""

    def handle(
        self, request: Request, *, deliver: Deliver | None = None, confirm: bool = False
    ) -> Reply:
        """``confirm``: preview the change and wait for a click even when no rule asks (a
        button's command, such as a notification's Undo)."""
        ...

    def answer(
        self,
        subject: Subject,
        token: str,
        *,
        approved: bool,
        channel: str = "",
        deliver: Deliver | None = None,
    ) -> Reply: ...

    def placed(self, token: str, place: PromptPlace) -> None:
        """Where the prompt of request ``token`` was delivered (to replace it at its expiry)."""
        ...


class SeenSignaturesPort(Protocol):
    """Signed requests taken by any replica (``bot.gateway.seen_requests.SeenRequests``)."""

    def first_time(self, signature: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class SlackApp:
    """The Bolt app and what serves it: the workers' intake and, in HTTP mode, the verifier."""

    bolt: App
    intake: Intake
    verifier: SignatureVerifier | None
    """Checks Slack's v0 signature of HTTP requests; None in Socket Mode."""
    seen: SeenSignaturesPort | None = None
    """HTTP mode: the signatures every replica took, so that a replay runs once in all."""

    @property
    def client(self) -> WebClient:
        """The Web API client (Socket Mode reuses it)."""
        return self.bolt.client

    def dispatch(self, request: BoltRequest) -> None:
        """Route an acknowledged request to its listener and run it, on the calling thread."""
        response = self.bolt.dispatch(request)
        if response.status != 200:
            logger.warning("Slack request not handled (Bolt answered %d)", response.status)

    def close(self) -> None:
        """Stop the workers (what they are running finishes) and Bolt's own listener threads."""
        self.intake.workers.close()
        self.bolt.listener_runner.listener_executor.shutdown(wait=False)


def build_app(
    *,
    chatops: ChatOpsPort,
    client: WebClient,
    command: str = "/k8s",
    signing_secret: str | None = None,
    sizes: WorkerSizes | None = None,
    progress_after: float | None = PROGRESS_AFTER,
    groups: Iterable[str] = (),
    people: People | None = None,
    seen: SeenSignaturesPort | None = None,
) -> SlackApp:
    """The app answering ``command`` and the confirm buttons through ``chatops``.

    ``client`` comes from ``slack_clients.web_client`` (retries 429s; honours SLACK_API_URL);
    Bolt calls ``auth.test`` with it at once, so a wrong token fails here, at start-up.
    ``signing_secret`` is required for HTTP mode, where every request is verified with it before
    it is acked; Socket Mode needs none (the websocket is authenticated by the app token).
    ``sizes``: the workers' bounds. ``progress_after``: seconds before a "working on it" note
    (None: never). ``groups``: the user group ids the policy names, whose members are looked up
    in Slack. ``people``: what impersonation needs to know of each person (None: nothing).
    ``seen``: where HTTP mode records the signatures taken, shared by the replicas.
    """
    bolt = App(
        client=client,
        # Verified by the HTTP server before the ack, so that the ack never waits for Bolt.
        request_verification_enabled=False,
        process_before_response=True,
        logger=logging.getLogger("bot.transport.bolt"),
    )
    delivery = Delivery(client, responder=responder_for(client))
    listeners = _Listeners(chatops, delivery, command=command, progress_after=progress_after)
    listeners.groups = UserGroups(client, groups)
    listeners.people = people
    bolt.command(command)(listeners.on_command)
    bolt.action(CONFIRM_ACTION)(listeners.on_confirm)
    bolt.action(DENY_ACTION)(listeners.on_deny)
    bolt.action(re.compile(rf"^{RUN_ACTION}_\d+$"))(listeners.on_run)
    verifier = SignatureVerifier(signing_secret) if signing_secret is not None else None
    return SlackApp(bolt, Intake(Workers(sizes), delivery), verifier, seen)


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
        self.groups: UserGroups | None = None
        self.people: People | None = None

    def on_command(self, ack: Ack, command: SlashCommand) -> None:
        """``/k8s TEXT``: run the command, deliver the reply (Slack has had its ack already)."""
        ack()
        subject = self._with_groups(command_subject(command))
        origin = Origin(
            channel=command.get("channel_id", ""),
            user_id=subject.user_id,
            response_url=command.get("response_url"),
        )
        self._run(subject, origin, command.get("text", ""), progress_after=self._progress_after)

    def on_run(self, ack: Ack, body: BlockActions) -> None:
        """A command button (Logs, Status, Undo on a rollout message): the command it carries
        runs for whoever clicked, in that channel, exactly as if they had typed it — the same
        policy, confirmation and audit. No "working on it" note: a click's response_url
        "original" is the message with the buttons, which a later reply must not replace."""
        ack()
        subject = self._with_groups(action_subject(body))
        container = body.get("container") or ActionContainer()
        channel = (body.get("channel") or ActionChannel()).get("id") or container.get("channel_id")
        origin = Origin(
            channel=channel or "", user_id=subject.user_id, response_url=body.get("response_url")
        )
        actions = body.get("actions") or [ButtonAction()]
        self._run(subject, origin, actions[0].get("value", ""), progress_after=None, own_url=False)

    def _run(
        self,
        subject: Subject,
        origin: Origin,
        text: str,
        *,
        progress_after: float | None,
        own_url: bool = True,
    ) -> None:
        """Run one typed (or clicked) command and deliver its reply. ``own_url``: the
        response_url's "original" is the command's own answer (a slash command), so a prompt
        whispered through it can be replaced later; not a button's, whose message it is."""
        request = Request(subject=subject, channel=origin.channel, text=text)
        shown = typed(self._command, request.text)
        note = ProgressNote(lambda: self._delivery.progress(origin, shown), after=progress_after)
        sent: list[Reply] = []

        def announce(reply: Reply) -> bool:
            """A change's announcement, posted before the service writes its audit record."""
            note.finish()
            sent.append(reply)
            return self._deliver(
                lambda: self._delivery.reply(origin, reply, after_progress=note.posted)
            )

        try:
            with note:
                reply = self._chatops.handle(request, deliver=announce)
        except Exception:  # ChatOps returns errors as replies; this is the last guard
            logger.exception("unexpected failure while handling a slash command")
            reply = failure_reply()
        if reply in sent:
            return
        if reply.confirm is None:
            self._deliver(lambda: self._delivery.reply(origin, reply, after_progress=note.posted))
            return
        token = reply.confirm.token
        try:
            place = self._delivery.prompt(origin, reply, after_progress=note.posted)
            if place is not None and (own_url or place.message):
                self._chatops.placed(token, place)
        except Exception:  # as in _deliver: a bug here must not kill the listener silently
            logger.exception("could not deliver a prompt to Slack")

    def _with_groups(self, subject: Subject) -> Subject:
        """The subject with the policy's groups they belong to, as Slack says now (and what
        impersonation needs: their email and every group they are in)."""
        if self.groups is not None:
            subject = dataclasses.replace(subject, groups=self.groups.of(subject.user_id))
        if self.people is not None:
            subject = dataclasses.replace(
                subject,
                email=self.people.email_of(subject.user_id),
                slack_groups=self.people.groups_of(subject.user_id),
            )
        return subject

    def on_confirm(self, ack: Ack, body: BlockActions) -> None:
        """The Confirm button of a parked damaging command."""
        ack()
        self._settle(body, approved=True)

    def on_deny(self, ack: Ack, body: BlockActions) -> None:
        """The Cancel button of a parked damaging command."""
        ack()
        self._settle(body, approved=False)

    def _settle(self, body: BlockActions, *, approved: bool) -> None:
        subject = self._with_groups(action_subject(body))
        container = body.get("container") or ActionContainer()
        channel = (body.get("channel") or ActionChannel()).get("id") or container.get("channel_id")
        channel = channel or ""
        origin = Origin(
            channel=channel, user_id=subject.user_id, response_url=body.get("response_url")
        )
        actions = body.get("actions") or [ButtonAction()]
        token = actions[0].get("value", "")
        private = bool(container.get("is_ephemeral", False))
        sent: list[Reply] = []

        def announce(reply: Reply) -> bool:
            sent.append(reply)
            return self._deliver(
                lambda: self._delivery.settle(origin, reply, prompt_is_private=private)
            )

        try:
            reply = self._chatops.answer(
                subject, token, approved=approved, channel=origin.channel, deliver=announce
            )
        except Exception:
            logger.exception("unexpected failure while answering a confirmation")
            reply = failure_reply()
        if reply not in sent:
            self._deliver(lambda: self._delivery.settle(origin, reply, prompt_is_private=private))

    @staticmethod
    def _deliver(send: Callable[[], bool]) -> bool:
        try:
            return send()
        except Exception:  # a rendering or delivery bug must not kill the listener thread silently
            logger.exception("could not deliver a reply to Slack")
            return False
