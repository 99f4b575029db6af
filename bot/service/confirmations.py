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

import enum
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from bot.core.approvals import approver_role, not_an_approver, self_approval
from bot.core.pending import PromptPlace, StoredRequest
from bot.core.policy import Channel, Policy
from bot.core.preview import Preview
from bot.core.subject import Subject
from bot.core.wording import only_the_author
from bot.errors import BotError
from bot.service.ports import PendingRequests

logger = logging.getLogger(__name__)

_ID: Final = re.compile(r"[0-9a-f]{8,64}")
"""What a request id looks like; anything else a button could carry names nothing."""
_PLACED_RETRIES: Final = 3
"""Writes of a request's place that may slip between a read and a move (one per prompt)."""


class State(enum.StrEnum):
    """Where a request is in its life; only ``pending`` may be answered."""

    PENDING = "pending"
    RUNNING = "running"
    """Claimed by the click that runs it."""
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUSED = "refused"
    """Not run: its target changed since the preview, or the policy no longer allows it."""


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """One previewed command and what became of it."""

    id: str
    author: Subject
    channel: str
    text: str
    """The command as typed; parsed again at the click."""
    target: str
    prompt: str
    preview: Preview
    created: datetime
    expires: datetime
    approvers: tuple[str, ...] = ()
    """Roles one of which a different person must hold to approve; empty: the author confirms."""
    rule: str = ""
    state: State = State.PENDING
    by: str = ""
    """Who answered it: ``@bob``."""
    outcome: str = ""
    place: PromptPlace | None = None
    """Where the prompt was delivered (None: not known yet, or nowhere it can be edited)."""

    def to_json(self) -> str:
        """The stored form (plain JSON, read by any replica)."""
        author = self.author
        return json.dumps(
            {
                "id": self.id,
                "author": {
                    "user_id": author.user_id,
                    "user_name": author.user_name,
                    "display": author.display,
                    "actor": author.actor,
                    "groups": sorted(author.groups),
                    "email": author.email,
                    "slack_groups": [list(pair) for pair in author.slack_groups],
                },
                "channel": self.channel,
                "text": self.text,
                "target": self.target,
                "prompt": self.prompt,
                "preview": {
                    "lines": list(self.preview.lines),
                    "state": [list(pair) for pair in self.preview.state],
                    "warning": self.preview.warning,
                },
                "created": self.created.isoformat(),
                "expires": self.expires.isoformat(),
                "approvers": list(self.approvers),
                "rule": self.rule,
                "state": str(self.state),
                "by": self.by,
                "outcome": self.outcome,
                "place": None
                if self.place is None
                else {
                    "channel": self.place.channel,
                    "message": self.place.message,
                    "reply_url": self.place.reply_url,
                },
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> PendingRequest | None:
        """The request stored as ``text``; None when it is not one (then it names nothing)."""
        try:
            data: Any = json.loads(text)
            author = data["author"]
            preview = data["preview"]
            place = data.get("place")
            return cls(
                id=str(data["id"]),
                author=Subject(
                    str(author["user_id"]),
                    str(author["user_name"]),
                    display=str(author["display"]),
                    actor=str(author["actor"]),
                    groups=frozenset(str(g) for g in author["groups"]),
                    email=str(author.get("email", "")),
                    slack_groups=tuple((str(i), str(h)) for i, h in author.get("slack_groups", [])),
                ),
                channel=str(data["channel"]),
                text=str(data["text"]),
                target=str(data["target"]),
                prompt=str(data["prompt"]),
                preview=Preview(
                    tuple(str(line) for line in preview["lines"]),
                    tuple((str(k), str(v)) for k, v in preview["state"]),
                    str(preview["warning"]),
                ),
                created=datetime.fromisoformat(data["created"]),
                expires=datetime.fromisoformat(data["expires"]),
                approvers=tuple(str(r) for r in data["approvers"]),
                rule=str(data["rule"]),
                state=State(data["state"]),
                by=str(data["by"]),
                outcome=str(data["outcome"]),
                place=None
                if not place
                else PromptPlace(
                    str(place["channel"]), str(place["message"]), str(place["reply_url"])
                ),
            )
        except (ValueError, KeyError, TypeError):
            return None


class MemoryRequests:
    """``PendingRequests`` in one process, for tests and for a bot without a cluster store."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, int, datetime]] = {}
        self._lock = threading.Lock()

    def create(self, key: str, record: str, *, expires: datetime) -> None:
        with self._lock:
            self._items[key] = (record, 1, expires)

    def read(self, key: str) -> StoredRequest | None:
        with self._lock:
            found = self._items.get(key)
        return None if found is None else StoredRequest(found[0], str(found[1]))

    def replace(self, key: str, record: str, *, version: str, expires: datetime) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or str(found[1]) != version:
                return None
            self._items[key] = (record, found[1] + 1, expires)
            return str(found[1] + 1)

    def collect(self, before: datetime) -> int:
        with self._lock:
            gone = [key for key, (_, _, expires) in self._items.items() if expires < before]
            for key in gone:
                del self._items[key]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


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


def answered(request: PendingRequest) -> str:
    """Why a click on a request no longer pending does nothing."""
    by = f" by {request.by}" if request.by else ""
    what = {
        State.RUNNING: f"it is being run (answered{by})",
        State.DONE: f"it was run (answered{by})",
        State.FAILED: f"it was run and failed (answered{by})",
        State.CANCELLED: f"it was cancelled{by}",
        State.EXPIRED: "it expired",
        State.REFUSED: f"it was refused: {request.outcome}",
    }.get(request.state, str(request.state))
    return f"This request is no longer pending: {what}."
