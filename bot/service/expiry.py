"""Prompts nobody answered: expired when their time comes, once across replicas, and said so.

Without this a prompt whose request expired would keep its buttons until someone clicked. Each
replica follows the pending requests in the cluster (every replica's, so that one left by a
replica that died is not forgotten; a request that expired while no bot ran is met in the first
list) and waits on the nearest expiry; the request is then claimed by a write conditioned on
its version (``ChatOps.expire``), so of two replicas (and a late click) exactly one records the
``expired`` audit record and replaces the prompt, without any leader election.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.core.pending import PromptPlace, StoredChange
from bot.core.reply import Reply
from bot.errors import BotError
from bot.service.pending_request import PendingRequest, State
from bot.service.ports import PendingFeed, Prompts

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
"""How long the follower waits before following again after the cluster refused it."""


class Expiring(Protocol):
    """What the sweeper needs of the service (``ChatOps``)."""

    def expire(self, key: str) -> tuple[PendingRequest, Reply] | None: ...


class Sweeper:
    """Two threads: one follows the stored requests, one expires each when its time comes."""

    def __init__(
        self,
        *,
        service: Expiring,
        feed: PendingFeed,
        clock: Callable[[], datetime],
    ) -> None:
        self._service = service
        self._feed = feed
        self._clock = clock
        self._due: dict[str, datetime] = {}
        """Pending requests by id, with their expiry."""
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._prompts: Prompts | None = None
        self._threads: list[threading.Thread] = []

    def start(self, prompts: Prompts) -> None:
        """Start following and expiring; ``prompts`` edits the expired ones' prompts."""
        if self._threads:
            return
        self._prompts = prompts
        for name, run in (("pending-follow", self._follow), ("pending-expiry", self._sweep)):
            thread = threading.Thread(target=run, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        """Stop both threads (what is being expired finishes first)."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(timeout=10)

    @property
    def running(self) -> bool:
        """Whether either thread still runs."""
        return any(thread.is_alive() for thread in self._threads)

    def pending(self) -> dict[str, datetime]:
        """The requests it is waiting on, by id, with their expiry."""
        with self._changed:
            return dict(self._due)

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                for change in self._feed.follow(self._stop):
                    self._learn(change)
            except BotError as e:
                logger.error("cannot follow pending requests (will try again): %s", e)
            except Exception:  # a bug must not stop the expiry for good
                logger.exception("following pending requests failed (will try again)")
            self._stop.wait(RETRY_SECONDS)

    def _learn(self, change: StoredChange) -> None:
        request = None if change.stored is None else PendingRequest.from_json(change.stored.record)
        with self._changed:
            if request is None or request.state is not State.PENDING:
                self._due.pop(change.key, None)
                return
            nearest = min(self._due.values(), default=None)
            self._due[change.key] = request.expires
            if nearest is None or request.expires < nearest:
                self._changed.notify_all()

    def _sweep(self) -> None:
        while not self._stop.is_set():
            with self._changed:
                now = self._clock()
                due = [key for key, expires in self._due.items() if expires <= now]
                if not due:
                    nearest = min(self._due.values(), default=None)
                    wait = None if nearest is None else (nearest - now).total_seconds()
                    self._changed.wait(wait)
                    continue
                for key in due:
                    del self._due[key]
            for key in due:
                if self._stop.is_set():
                    return
                self._expire(key)

    def _expire(self, key: str) -> None:
        try:
            expired = self._service.expire(key)
        except Exception:  # a bug must not stop the sweeper
            logger.exception("could not expire pending request %s", key)
            return
        if expired is None:
            return
        request, reply = expired
        if request.place is None:
            logger.info("request %s expired; its prompt is nowhere the bot can edit", key)
            return
        self._replace(request.place, reply)

    def _replace(self, place: PromptPlace, reply: Reply) -> None:
        prompts = self._prompts
        if prompts is None or not prompts.replace_prompt(place, reply):
            logger.warning("an expired prompt in %s could not be replaced", place.channel)
