"""Previewed requests waiting for a click: kept where every replica sees them, run once.

A damaging command (or one whose rule says ``confirm: true`` or ``approvers``) is parked as a
``PendingRequest`` in a ``PendingRequests`` store — in production a ConfigMap per request in the
bot's namespace (``bot.gateway.pending_store``), so that a restart or a click Slack hands to
another replica finds it. The button carries only the id. Each answer moves the request out of
``pending`` with a compare-and-swap on the stored version, so of a double click, a retried
delivery or two replicas racing, exactly one gets to run it. A request nobody answered is
expired the same way (``expire``: of every replica's sweeper and a late click, one wins), and
its prompt replaced where it was delivered (``place``). Expired requests stay one more expiry
period (to say "expired" rather than "unknown"), then are collected.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from bot.core.approvals import approver_role, not_an_approver, self_approval
from bot.core.pending import PromptPlace
from bot.core.policy import Channel, Policy
from bot.core.preview import Preview
from bot.core.subject import Subject
from bot.core.wording import only_the_author
from bot.errors import BotError
from bot.service.pending_request import PendingRequest, State
from bot.service.ports import PendingRequests

logger = logging.getLogger(__name__)

_ID: Final = re.compile(r"[0-9a-f]{8,64}")
"""What a request id looks like; anything else a button could carry names nothing."""
_PLACED_RETRIES: Final = 3
"""Writes of a request's place that may slip between a read and a move (one per prompt)."""


class Confirmations:
    """Parks previewed requests in a store and moves them on, each move at most once."""

    def __init__(
        self,
        *,
        store: PendingRequests,
        expiry: timedelta,
        clock: Callable[[], datetime],
        new_id: Callable[[], str] = lambda: secrets.token_hex(10),
    ) -> None:
        self._store = store
        self._expiry = expiry
        self._clock = clock
        self._new_id = new_id

    @property
    def expiry(self) -> timedelta:
        """How long a request waits for its click."""
        return self._expiry

    def park(
        self,
        *,
        author: Subject,
        channel: str,
        text: str,
        target: str,
        prompt: str,
        preview: Preview,
        approvers: tuple[str, ...] = (),
        rule: str = "",
    ) -> PendingRequest:
        """Store a new pending request (after collecting long-expired ones); raises the
        store's ``BotError`` when it cannot be kept, and then nothing is pending."""
        now = self._clock()
        self._collect(now)
        request = PendingRequest(
            id=self._new_id(),
            author=author,
            channel=channel,
            text=text,
            target=target,
            prompt=prompt,
            preview=preview,
            created=now,
            expires=now + self._expiry,
            approvers=approvers,
            rule=rule,
        )
        self._store.create(request.id, request.to_json(), expires=request.expires)
        return request

    def load(self, key: str) -> tuple[PendingRequest, str] | None:
        """The request the button names and its stored version; None for an unknown id."""
        if not _ID.fullmatch(key):
            return None
        stored = self._store.read(key)
        if stored is None:
            return None
        request = PendingRequest.from_json(stored.record)
        if request is None or request.id != key:
            return None
        return request, stored.version

    def move(
        self,
        request: PendingRequest,
        version: str,
        state: State,
        *,
        by: str = "",
        outcome: str = "",
    ) -> tuple[PendingRequest, str] | None:
        """Move ``request`` (as read at ``version``) to ``state``; None when another answer was
        first, in which case this one must do nothing. A request found still pending, as it
        was, was only placed meanwhile (``place``): the move is made on that version."""
        for _ in range(_PLACED_RETRIES):
            moved = replace(request, state=state, by=by or request.by, outcome=outcome)
            new = self._store.replace(
                request.id, moved.to_json(), version=version, expires=moved.expires
            )
            if new is not None:
                return moved, new
            if request.state is not State.PENDING:
                return None
            again = self.load(request.id)
            if again is None or replace(again[0], place=request.place) != request:
                return None
            request, version = again
        return None

    def place(self, key: str, place: PromptPlace) -> None:
        """Record where the prompt of request ``key`` was delivered, while it is pending (an
        answered one needs no editing); a failure is logged, and only that prompt will not
        say when it expired."""
        try:
            for _ in range(_PLACED_RETRIES):
                loaded = self.load(key)
                if loaded is None or loaded[0].state is not State.PENDING:
                    return
                request, version = loaded
                placed = replace(request, place=place)
                if self._store.replace(
                    key, placed.to_json(), version=version, expires=placed.expires
                ):
                    return
        except BotError as e:
            logger.warning("could not record where the prompt of request %s is: %s", key, e)

    def expire(self, key: str) -> PendingRequest | None:
        """Claim request ``key`` as expired if it is pending and past its expiry: the request
        this caller alone must now report, or None (not due, answered, or another was first)."""
        loaded = self.load(key)
        if loaded is None:
            return None
        request, version = loaded
        if request.state is not State.PENDING or self._clock() < request.expires:
            return None
        moved = self.move(request, version, State.EXPIRED)
        return None if moved is None else moved[0]

    def finish(self, request: PendingRequest, version: str, state: State, outcome: str) -> None:
        """Record how a claimed request ended; only the claimer writes it, and a failure to is
        logged (the change itself is done and audited)."""
        try:
            if self.move(request, version, state, outcome=outcome) is None:
                logger.warning("pending request %s changed while it ran", request.id)
        except BotError as e:
            logger.warning("could not record the outcome of request %s: %s", request.id, e)

    def _collect(self, now: datetime) -> None:
        try:
            self._store.collect(now - self._expiry)
        except BotError as e:
            logger.warning("could not collect expired pending requests: %s", e)


def click_refusal(
    policy: Policy, request: PendingRequest, clicker: Subject, *, approved: bool
) -> str | None:
    """Why ``clicker`` may not give this answer, or None: the author confirms or cancels; an
    approval needs a different person holding an approver role in the request's channel."""
    channel = Channel.of(request.channel)
    author = request.author
    if not approved or not request.approvers:
        if clicker.user_id != author.user_id:
            return only_the_author(author.display)
        return None
    if clicker.user_id == author.user_id:
        return self_approval(policy, request.approvers, channel, author.user_id)
    if approver_role(policy, clicker, channel, request.approvers) is None:
        return not_an_approver(
            policy, request.approvers, channel, author=author.user_id, author_name=author.display
        )
    return None
