"""Runs a command the policy allowed, as its author in the cluster: reads what a change would
do, or runs it and builds its reply, a change announced before its audit record is written."""

from __future__ import annotations

import dataclasses
import logging

from bot.core import preview as previews
from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.preview import Preview
from bot.core.replies import change_reply, error_reply, result_reply
from bot.core.reply import Reply
from bot.core.results import Change, Document, Result
from bot.core.subject import Subject
from bot.core.verbs.registry import is_mutating
from bot.errors import BotError
from bot.service.announcements import announcement
from bot.service.audit import Outcome, Verdict
from bot.service.options import ChatOpsOptions
from bot.service.ports import KubeGateway, Previews
from bot.service.trail import Trail

logger = logging.getLogger(__name__)


class Runner:
    """The cluster side of a request: previews and runs, as the identity its author has there."""

    def __init__(
        self, *, gateway: KubeGateway, options: ChatOpsOptions, previews: Previews | None
    ) -> None:
        """``previews``: as for ``ChatOps``."""
        self._gateway = gateway
        self._options = options
        self._previews = previews

    def preview(self, command: Command, prompt: str, author: Subject) -> Preview:
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

    def execute(self, command: Command, trail: Trail) -> Reply:
        try:
            identity = self._identity(trail.subject)
            result = self._gateway.execute(
                command, actor=trail.subject.actor, text=trail.text, identity=identity
            )
        except BotError as e:
            trail.write(Outcome.FAILED, str(e))
            return error_reply(e, visibility=self._options.errors)
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


def _changed(command: Command, result: Result) -> bool:
    """Whether the cluster changed: a mutating verb's ``Change`` that did something. A delete
    that matched nothing or an image already set is answered to its author, not announced."""
    return is_mutating(command) and isinstance(result, Change) and result.changed
