"""Previewed requests, asked and answered: a change parked with its preview and a prompt, then
run, cancelled or refused at its click, once, whichever replica is asked, the policy and the
target checked again before it runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core import preview as previews
from bot.core.approvals import who_can_approve
from bot.core.command import Command
from bot.core.policy import Channel, Decision, Policy, authorize
from bot.core.preview import Preview
from bot.core.prompts import (
    answered_reply,
    changed_reply,
    disallowed_reply,
    expired_reply,
    prompt_reply,
)
from bot.core.replies import cancelled_reply, error_reply
from bot.core.reply import Reply
from bot.core.subject import Subject
from bot.errors import BotError, NotAllowed
from bot.service.audit import Outcome, Verdict
from bot.service.confirmations import Confirmations, click_refusal
from bot.service.options import ChatOpsOptions
from bot.service.pending_request import PendingRequest, State, answered
from bot.service.runner import Runner
from bot.service.trail import Trail


class Answers:
    """Parks the requests that wait for a click, and runs or drops them when it comes."""

    def __init__(
        self,
        *,
        policy: Policy,
        options: ChatOpsOptions,
        clock: Callable[[], datetime],
        confirmations: Confirmations,
        runner: Runner,
    ) -> None:
        self._policy = policy
        self._options = options
        self._clock = clock
        self._confirmations = confirmations
        self._runner = runner

    def park(
        self,
        command: Command,
        decision: Decision,
        prompt: str,
        trail: Trail,
        *,
        author: Subject,
        channel: str,
        text: str,
        shown: Preview | None = None,
    ) -> Reply:
        """Preview the change (unless ``shown`` already has), keep the request (``text``, typed
        by ``author`` in ``channel``), and ask for the click."""
        try:
            shown = shown or self._runner.preview(command, prompt, author)
            parked = self._confirmations.park(
                author=author,
                channel=channel,
                text=text,
                target=trail.target,
                prompt=prompt,
                preview=shown,
                approvers=decision.approvers,
                rule=trail.rule,
            )
        except BotError as e:
            trail.write(Outcome.FAILED, str(e))
            return error_reply(e, visibility=self._options.errors)
        trail.preview = shown.lines
        trail.request = parked.id
        trail.write(Outcome.NOT_RUN, prompt, verdict=Verdict.PREVIEWED)
        approval = ""
        if decision.approvers:
            approval = who_can_approve(
                self._policy,
                decision.approvers,
                Channel.of(channel),
                author=author.user_id,
                other_than=author.display,
            )
        return prompt_reply(
            request_id=parked.id,
            prompt=prompt,
            preview=shown,
            author=author.display,
            expires=parked.expires,
            expiry=self._confirmations.expiry,
            approval=approval,
        )

    def answer(
        self,
        command: Command,
        pending: PendingRequest,
        version: str,
        clicker: Subject,
        trail: Trail,
        *,
        approved: bool,
    ) -> Reply:
        """Run (``approved``) or drop ``pending`` (stored as ``version``; ``command`` parsed
        from its text) as ``clicker`` answered it, once."""
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
            fresh = self._runner.preview(command, pending.prompt, pending.author)
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
        reply = self._runner.execute(command, trail)
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
        return error_reply(NotAllowed(why), visibility=self._options.errors)

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
