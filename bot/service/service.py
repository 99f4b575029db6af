"""The chat-ops service: text in, ``Reply`` out, whatever the transport.

Every request goes parse -> resolve namespace -> authorize -> (confirm) -> execute -> audit ->
render. Slack and the console both call ``ChatOps.handle`` and ``ChatOps.answer``; neither knows
how a command runs, and the gateway never knows who may run it. Every request leaves exactly one
audit record, whichever way it ends. ``questions`` says what to ask before a change runs; a
change that waits for a click is parked and answered in ``answers``; ``runner`` previews and
runs commands in the cluster; ``trail`` gathers the record.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.access import can_i_reply, whoami_reply
from bot.core.command import Command, with_default_namespace
from bot.core.grammar import Outline, outline
from bot.core.pending import PromptPlace
from bot.core.policy import Channel, Policy, authorize, verb_denial
from bot.core.prompts import (
    unanswered_reply,
)
from bot.core.replies import (
    error_reply,
    help_reply,
    incident_reply,
    usage_reply,
)
from bot.core.reply import Reply
from bot.core.subject import Subject
from bot.core.verbs.can_i import CanI
from bot.core.verbs.help import Help
from bot.core.verbs.spec import VerbSpec
from bot.core.verbs.whoami import Whoami
from bot.core.wording import confirmation_unknown
from bot.errors import BotError, NotAllowed, UsageError
from bot.service.answers import Answers
from bot.service.audit import Outcome, Verdict
from bot.service.confirmations import Confirmations
from bot.service.memory_requests import MemoryRequests
from bot.service.options import ChatOpsOptions
from bot.service.pending_request import PendingRequest
from bot.service.ports import AuditSink, Deliver, KubeGateway, PendingRequests, Previews
from bot.service.questions import Questions
from bot.service.runner import Runner
from bot.service.trail import Trail

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Request:
    """One command typed by one person in one channel."""

    subject: Subject
    channel: str
    """Slack channel id (``C…``), or a label such as ``console`` for the terminal."""
    text: str
    """What follows the slash command, e.g. ``get pods -n prod``."""


def utc_now() -> datetime:
    """The default clock: aware UTC wall time."""
    return datetime.now(UTC)


class ChatOps:
    """Turns requests into replies; safe to call from several threads at once."""

    def __init__(
        self,
        *,
        gateway: KubeGateway,
        policy: Policy,
        audit: AuditSink,
        options: ChatOpsOptions | None = None,
        clock: Callable[[], datetime] = utc_now,
        previews: Previews | None = None,
        pending: PendingRequests | None = None,
    ) -> None:
        """``previews`` reads what a change would do (None: the prompt alone is the preview,
        and nothing is compared at the click); ``pending`` keeps the requests waiting for a
        click (None: this process's memory, which a restart or another replica does not see).
        """
        self._policy = policy
        self._options = options or ChatOpsOptions()
        self._audit = audit
        self._clock = clock
        self._confirmations = Confirmations(
            store=pending if pending is not None else MemoryRequests(),
            expiry=self._options.confirmation_expiry,
            clock=clock,
        )
        self._runner = Runner(gateway=gateway, options=self._options, previews=previews)
        self._questions = Questions(options=self._options, runner=self._runner)
        self._answers = Answers(
            policy=policy,
            options=self._options,
            clock=clock,
            confirmations=self._confirmations,
            runner=self._runner,
        )

    def handle(
        self, request: Request, *, deliver: Deliver | None = None, confirm: bool = False
    ) -> Reply:
        """Answer one request; never raises (failures become error replies).

        ``deliver``: the transport's way to post a change's announcement before the audit
        record is written, so that the record says whether anyone was told. The reply of a
        change is then already delivered; any other reply is left to the caller.
        ``confirm``: preview a change and wait for its author's Confirm even when no rule asks
        for it (a button such as a notification's Undo); approvals are still required where
        a rule asks for them.
        """
        trail = self._trail(request.subject, request.channel, request.text)
        trail.deliver = deliver
        try:
            return self._handle(request, trail, confirm=confirm)
        except Exception as e:  # noqa: BLE001 - the last line of defence: log, audit, reply
            return self._incident(e, trail)

    def answer(
        self,
        subject: Subject,
        token: str,
        *,
        approved: bool,
        channel: str = "",
        deliver: Deliver | None = None,
    ) -> Reply:
        """Run (``approved``) or drop a previewed request, once, whichever replica is asked.

        The author confirms or cancels; a request whose rule names ``approvers`` is approved
        by a different person holding one of those roles. At the click the policy is asked
        again and the target read again: if it changed since the preview, nothing runs.
        ``channel`` (where the button was clicked) is only for the audit record of a refused
        click; an accepted one is recorded in the channel the command was typed in.
        ``deliver``: as for ``handle``.
        """
        try:
            loaded = self._confirmations.load(token)
        except BotError as e:
            loaded, failure = None, e
        else:
            failure = BotError(confirmation_unknown())
        if loaded is None:
            # The id is a capability and names nothing useful: it is not recorded.
            text = "(confirm)" if approved else "(cancel)"
            trail = self._trail(subject, channel, text)
            trail.write(Outcome.NOT_RUN, str(failure), verdict=Verdict.REFUSED)
            return self._error_reply(failure)
        pending, version = loaded
        trail = self._trail(pending.author, pending.channel, pending.text)
        trail.deliver = deliver
        trail.pending(pending, subject)
        trail.clicked_in = channel
        try:
            command = self._command_of(pending.text)
            trail.about(command)
            return self._answers.answer(
                command, pending, version, subject, trail, approved=approved
            )
        except Exception as e:  # noqa: BLE001 - the same last line of defence as handle()
            return self._incident(e, trail)

    def placed(self, token: str, place: PromptPlace) -> None:
        """Where the transport delivered the prompt of request ``token``, so that whichever
        replica expires it can edit it there."""
        self._confirmations.place(token, place)

    def expire(self, key: str) -> tuple[PendingRequest, Reply] | None:
        """Expire request ``key`` if it is pending and past its expiry, and record it; the
        request and what its prompt must now say, for the one caller that did (of every
        replica's sweeper and a late click, one); None otherwise. Never raises."""
        try:
            request = self._confirmations.expire(key)
        except BotError as e:
            logger.warning("could not expire request %s: %s", key, e)
            return None
        if request is None:
            return None
        trail = self._trail(request.author, request.channel, request.text)
        trail.pending(request, request.author)
        trail.approver = ""
        with contextlib.suppress(UsageError):  # else the stored target stands
            trail.about(self._command_of(request.text))
        reply = unanswered_reply(request.text, request.expires, author=request.author.display)
        trail.write(Outcome.NOT_RUN, reply.headline, verdict=Verdict.EXPIRED)
        return request, reply

    def _command_of(self, text: str) -> Command:
        """The command of a stored request, parsed again exactly as when it was previewed."""
        found = outline(text)
        if isinstance(found, Help):
            raise UsageError("help has nothing to confirm")
        return self._resolve_namespace(found.build())

    def _trail(self, subject: Subject, channel: str, text: str) -> Trail:
        return Trail(self._audit, self._clock, subject=subject, channel=channel, text=text)

    def _handle(self, request: Request, trail: Trail, *, confirm: bool = False) -> Reply:
        try:
            found = outline(request.text)
            if isinstance(found, Outline):
                early = self._verb_denied(request.subject, Channel.of(request.channel), found.spec)
                if early is not None:
                    early = self._precise_denial(found, request) or early
                    trail.write(Outcome.NOT_RUN, early, verdict=Verdict.DENIED)
                    return self._error_reply(NotAllowed(early))
            command = found if isinstance(found, Help) else found.build()
        except UsageError as e:
            trail.write(Outcome.NOT_RUN, str(e), verdict=Verdict.INVALID)
            return usage_reply(
                e, prefix=self._options.command_prefix, visibility=self._options.errors
            )
        if isinstance(command, Help):
            reply = help_reply(
                command,
                prefix=self._options.command_prefix,
                visibility=self._options.read_only,
            )
            trail.write(Outcome.OK)
            return reply
        command = self._resolve_namespace(command)
        channel = Channel.of(request.channel)
        trail.about(command)
        if isinstance(command, Whoami | CanI):
            return self._access(command, request, channel, trail)
        decision = authorize(self._policy, request.subject, channel, command)
        trail.decided(decision)
        if not decision.allowed:
            trail.write(Outcome.NOT_RUN, decision.reason, verdict=Verdict.DENIED)
            return self._error_reply(NotAllowed(decision.reason))
        try:
            prompt, shown = self._questions.ask(
                command, decision, confirm=confirm, author=request.subject
            )
        except BotError as e:  # the target of a large scale-up cannot be read
            trail.write(Outcome.FAILED, str(e))
            return self._error_reply(e)
        if prompt is not None:
            return self._answers.park(
                command,
                decision,
                prompt,
                trail,
                author=request.subject,
                channel=request.channel,
                text=request.text,
                shown=shown,
            )
        return self._runner.execute(command, trail)

    def _precise_denial(self, found: Outline, request: Request) -> str | None:
        """The full decision's sentence (naming the target) for a command denied by its verb,
        when its arguments are valid; None when they are not, which a denied user is not told."""
        try:
            command = self._resolve_namespace(found.build())
        except UsageError:
            return None
        channel = Channel.of(request.channel)
        return authorize(self._policy, request.subject, channel, command).reason

    def _verb_denied(self, subject: Subject, channel: Channel, spec: VerbSpec[Any]) -> str | None:
        """Why ``subject`` may not run ``spec``'s verb here at all, judged before its arguments
        are validated (a denied user never hears what is wrong with them); None when some rule
        of theirs here names the verb, and the full check after validation decides."""
        return verb_denial(self._policy, subject, channel, spec.name)

    def _access(
        self, command: Whoami | CanI, request: Request, channel: Channel, trail: Trail
    ) -> Reply:
        """``whoami`` and ``can-i``: answered from the policy, never the cluster."""
        visibility = self._options.read_only
        if isinstance(command, Whoami):
            reply = whoami_reply(self._policy, request.subject, channel, visibility=visibility)
        else:
            try:
                reply = can_i_reply(
                    self._policy, request.subject, channel, command, visibility=visibility
                )
            except UsageError as e:
                trail.write(Outcome.NOT_RUN, str(e), verdict=Verdict.INVALID)
                return usage_reply(e, prefix=self._options.command_prefix, visibility=visibility)
        trail.write(Outcome.OK, reply.headline)
        return reply

    def _resolve_namespace(self, command: Command) -> Command:
        """Fill in the default namespace; ``-A`` and namespace-less commands are left alone."""
        return with_default_namespace(command, self._options.default_namespace)

    def _error_reply(self, error: BotError) -> Reply:
        return error_reply(error, visibility=self._options.errors)

    def _incident(self, error: Exception, trail: Trail) -> Reply:
        """Log the traceback under a fresh id; the user gets the id, never the details."""
        incident = secrets.token_hex(4)
        logger.error(
            "incident %s: unexpected %s while handling %r for %s",
            incident,
            type(error).__name__,
            trail.text,
            trail.subject.actor,
            exc_info=error,
        )
        trail.write(Outcome.ERROR, type(error).__name__, incident=incident)
        return incident_reply(incident, visibility=self._options.errors)
