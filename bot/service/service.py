"""The chat-ops service: text in, ``Reply`` out, whatever the transport.

Every request goes parse -> resolve namespace -> authorize -> (confirm) -> execute -> audit ->
render. Slack and the console both call ``ChatOps.handle`` and ``ChatOps.answer``; neither knows
how a command runs, and the gateway never knows who may run it. Every request leaves exactly one
audit record, whichever way it ends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core import preview as previews
from bot.core.access import can_i_reply, whoami_reply
from bot.core.approvals import who_can_approve
from bot.core.command import Command, with_default_namespace
from bot.core.grammar import Outline, outline
from bot.core.impersonation import KubeIdentity
from bot.core.pending import PromptPlace
from bot.core.policy import (
    Channel,
    Decision,
    Policy,
    authorize,
    confirmation_prompt,
    ruled_prompt,
    verb_denial,
)
from bot.core.preview import Preview
from bot.core.prompts import (
    answered_reply,
    changed_reply,
    disallowed_reply,
    expired_reply,
    prompt_reply,
    unanswered_reply,
)
from bot.core.replies import (
    cancelled_reply,
    change_reply,
    error_reply,
    help_reply,
    incident_reply,
    result_reply,
    usage_reply,
)
from bot.core.reply import Reply
from bot.core.results import Change, Document, Result
from bot.core.subject import Subject
from bot.core.targets import target_of
from bot.core.verbs.can_i import CanI
from bot.core.verbs.help import Help
from bot.core.verbs.registry import is_mutating
from bot.core.verbs.scale import Scale, scale_up_may_ask, scale_up_prompt
from bot.core.verbs.spec import VerbSpec
from bot.core.verbs.whoami import Whoami
from bot.core.wording import confirmation_unknown
from bot.errors import BotError, NotAllowed, UsageError
from bot.service.announcements import announcement
from bot.service.audit import Outcome, Verdict
from bot.service.confirmations import (
    Confirmations,
    MemoryRequests,
    PendingRequest,
    State,
    answered,
    click_refusal,
)
from bot.service.options import ChatOpsOptions
from bot.service.ports import AuditSink, Deliver, KubeGateway, PendingRequests, Previews
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
        self._gateway = gateway
        self._policy = policy
        self._options = options or ChatOpsOptions()
        self._audit = audit
        self._clock = clock
        self._previews = previews
        self._confirmations = Confirmations(
            store=pending if pending is not None else MemoryRequests(),
            expiry=self._options.confirmation_expiry,
            clock=clock,
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
            return self._answer(pending, version, subject, trail, approved=approved)
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

    def _answer(
        self,
        pending: PendingRequest,
        version: str,
        clicker: Subject,
        trail: Trail,
        *,
        approved: bool,
    ) -> Reply:
        command = self._command_of(pending.text)
        trail.about(command)
        if pending.state is not State.PENDING:
            return self._late(trail, clicker, pending)
        if self._clock() >= pending.expires:
            if self._confirmations.move(pending, version, State.EXPIRED) is None:
                return self._late(trail, clicker, self._reload(pending))
            reply = expired_reply(
                pending.text, self._confirmations.expiry, visibility=self._options.read_only
            )
            trail.write(Outcome.NOT_RUN, reply.headline, verdict=Verdict.EXPIRED)
            return reply
        why = click_refusal(self._policy, pending, clicker, approved=approved)
        if why is not None:
            return self._refuse(trail, clicker, why)
        if not approved:
            if self._confirmations.move(pending, version, State.CANCELLED, by=clicker.display):
                trail.write(Outcome.NOT_RUN, verdict=Verdict.CANCELLED)
                return cancelled_reply(pending.text, visibility=self._options.read_only)
            return self._late(trail, clicker, self._reload(pending))
        return self._run(command, pending, version, clicker, trail)

    def _run(
        self,
        command: Command,
        pending: PendingRequest,
        version: str,
        clicker: Subject,
        trail: Trail,
    ) -> Reply:
        """An accepted Confirm or Approve: ask the policy again, claim the request (once),
        read the target again, and run it only if it is as previewed."""
        # Re-checked: the policy is the gate at run time, not only at request time.
        asker = clicker if not pending.approvers else pending.author
        decision = authorize(self._policy, asker, Channel.of(pending.channel), command)
        trail.decided(decision)
        if not decision.allowed:
            if self._confirmations.move(pending, version, State.REFUSED, outcome=decision.reason):
                trail.write(Outcome.NOT_RUN, decision.reason, verdict=Verdict.DENIED)
                return disallowed_reply(decision.reason, visibility=self._options.read_only)
            return self._late(trail, clicker, self._reload(pending))
        claimed = self._confirmations.move(pending, version, State.RUNNING, by=clicker.display)
        if claimed is None:
            return self._late(trail, clicker, self._reload(pending))
        running, version = claimed
        try:
            fresh = self._preview(command, pending.prompt, pending.author)
        except BotError as e:  # the target is gone, or cannot be read: as good as changed
            moved = [str(e)]
        else:
            moved = previews.changes(pending.preview.state, fresh.state)
        if moved:
            reply = changed_reply(pending.target, moved, visibility=self._options.read_only)
            self._confirmations.finish(running, version, State.REFUSED, reply.headline)
            trail.write(Outcome.NOT_RUN, reply.headline, verdict=Verdict.REFUSED)
            return reply
        trail.verdict = Verdict.APPROVED if pending.approvers else Verdict.CONFIRMED
        reply = self._execute(command, trail)
        ended = State.FAILED if trail.outcome is not Outcome.OK else State.DONE
        self._confirmations.finish(running, version, ended, reply.headline)
        return reply

    def _reload(self, pending: PendingRequest) -> PendingRequest:
        """The request as another answer left it (for saying what became of it)."""
        loaded = self._confirmations.load(pending.id)
        return pending if loaded is None else loaded[0]

    def _refuse(self, trail: Trail, clicker: Subject, why: str) -> Reply:
        """A click its clicker may not make, recorded under their name and channel; the
        request stays pending for those who may answer it."""
        self._refused(trail, clicker, why)
        return self._error_reply(NotAllowed(why))

    def _late(self, trail: Trail, clicker: Subject, request: PendingRequest) -> Reply:
        """A click on a request another answer (or the clock) already settled."""
        why = answered(request)
        self._refused(trail, clicker, why)
        return answered_reply(why, visibility=self._options.errors)

    @staticmethod
    def _refused(trail: Trail, clicker: Subject, why: str) -> None:
        trail.subject = clicker
        trail.channel = trail.clicked_in or trail.channel
        trail.approver = ""
        trail.write(Outcome.NOT_RUN, why, verdict=Verdict.REFUSED)

    def _command_of(self, text: str) -> Command:
        """The command of a stored request, parsed again exactly as when it was previewed."""
        found = outline(text)
        if isinstance(found, Help):
            raise UsageError("help has nothing to confirm")
        return self._resolve_namespace(found.build())

    def _preview(self, command: Command, prompt: str, author: Subject) -> Preview:
        """What ``command`` would change, read as the identity it will run as."""
        if self._previews is None:
            return previews.generic(prompt)
        identity = self._identity(author)
        return self._previews.preview(command, prompt=prompt, identity=identity)

    def _identity(self, subject: Subject) -> KubeIdentity | None:
        """Who ``subject`` is in the cluster (None: the bot, without impersonation); raises
        ``NotAllowed`` when impersonation needs what Slack did not tell."""
        impersonation = self._options.impersonation
        return None if impersonation is None else impersonation.identity(subject)

    def _park(
        self,
        command: Command,
        request: Request,
        decision: Decision,
        prompt: str,
        trail: Trail,
        *,
        shown: Preview | None = None,
    ) -> Reply:
        """Preview the change (unless ``shown`` already has), keep the request, and ask for
        the click."""
        try:
            shown = shown or self._preview(command, prompt, request.subject)
            parked = self._confirmations.park(
                author=request.subject,
                channel=request.channel,
                text=request.text,
                target=trail.target,
                prompt=prompt,
                preview=shown,
                approvers=decision.approvers,
                rule=trail.rule,
            )
        except BotError as e:
            trail.write(Outcome.FAILED, str(e))
            return self._error_reply(e)
        trail.preview = shown.lines
        trail.request = parked.id
        trail.write(Outcome.NOT_RUN, prompt, verdict=Verdict.PREVIEWED)
        approval = ""
        if decision.approvers:
            approval = who_can_approve(
                self._policy,
                decision.approvers,
                Channel.of(request.channel),
                author=request.subject.user_id,
                other_than=request.subject.display,
            )
        return prompt_reply(
            request_id=parked.id,
            prompt=prompt,
            preview=shown,
            author=request.subject.display,
            expires=parked.expires,
            expiry=self._confirmations.expiry,
            approval=approval,
        )

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
            prompt, shown = self._question(
                command, decision, confirm=confirm, author=request.subject
            )
        except BotError as e:  # the target of a large scale-up cannot be read
            trail.write(Outcome.FAILED, str(e))
            return self._error_reply(e)
        if prompt is not None:
            return self._park(command, request, decision, prompt, trail, shown=shown)
        return self._execute(command, trail)

    def _question(
        self, command: Command, decision: Decision, *, confirm: bool, author: Subject
    ) -> tuple[str | None, Preview | None]:
        """What to ask before ``command`` runs (None: nothing), and the preview when it was
        read to decide: the verb's damaging cases, a rule's ``confirm`` or ``approvers``, a
        button's ``confirm``, a large scale-up."""
        prompt = confirmation_prompt(command)
        asks = decision.confirm or bool(decision.approvers) or (confirm and is_mutating(command))
        if prompt is None and asks:
            prompt = ruled_prompt(command, target_of(command))
        if prompt is None and isinstance(command, Scale):
            return self._scale_up(command, author)
        return prompt, None

    def _scale_up(self, command: Scale, author: Subject) -> tuple[str | None, Preview | None]:
        """The question of a large scale-up (``scale_up_factor``, ``scale_up_above``) and
        the preview it read the current replicas from (as ``author`` in the cluster); (None,
        None) when it is not large."""
        factor, above = self._options.scale_up_factor, self._options.scale_up_above
        if not scale_up_may_ask(command, factor=factor, above=above):
            return None, None
        shown = self._preview(command, "", author)
        current = dict(shown.state).get("replicas")
        number = int(current) if current is not None and current.isdigit() else None
        prompt = scale_up_prompt(command, number, factor=factor, above=above)
        if prompt is None:
            return None, None
        return prompt, shown if shown.state else None

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

    def _execute(self, command: Command, trail: Trail) -> Reply:
        try:
            identity = self._identity(trail.subject)
            result = self._gateway.execute(
                command, actor=trail.subject.actor, text=trail.text, identity=identity
            )
        except BotError as e:
            trail.write(Outcome.FAILED, str(e))
            return self._error_reply(e)
        reply = self._result_reply(command, result, trail)
        failed = isinstance(result, Document) and result.failed
        detail = result.summary if isinstance(result, Change) else ""
        announced = None
        if trail.deliver is not None and _changed(command, result):
            announced = trail.deliver(reply)
            if not announced:
                logger.error(
                    "%s applied %r but its announcement could not be delivered to Slack",
                    trail.subject.actor,
                    trail.text,
                )
                detail = f"{detail}; the announcement could not be delivered".lstrip("; ")
        trail.write(Outcome.FAILED if failed else Outcome.OK, detail, announced=announced)
        return reply

    def _resolve_namespace(self, command: Command) -> Command:
        """Fill in the default namespace; ``-A`` and namespace-less commands are left alone."""
        return with_default_namespace(command, self._options.default_namespace)

    def _result_reply(self, command: Command, result: Result, trail: Trail) -> Reply:
        options = self._options
        if _changed(command, result):
            headline = announcement(trail.subject, command)
            reply = change_reply(command, result, announcement=headline, visibility=options.changes)
            if trail.verdict is Verdict.APPROVED:
                approved = f"Approved by {trail.approved_by}."
                reply = dataclasses.replace(reply, context=(*reply.context, approved))
            return reply
        failed = isinstance(result, Document) and result.failed
        return result_reply(
            command,
            result,
            asker=trail.subject,
            prefix=self._options.command_prefix,
            text=trail.text,
            visibility=options.errors if failed else options.read_only,
        )

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


def _changed(command: Command, result: Result) -> bool:
    """Whether the cluster changed: a mutating verb's ``Change`` that did something. A delete
    that matched nothing or an image already set is answered to its author, not announced."""
    return is_mutating(command) and isinstance(result, Change) and result.changed
