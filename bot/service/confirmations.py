"""Damaging commands parked until their author confirms them: same user, once, before expiry.

A token stands for one parked command. Slack may deliver a button click from anyone who can see
the message, and may deliver it twice, so ``take`` checks the user, removes the entry on first
use, and keeps an expired entry around for a while to say "expired" rather than "unknown".
Bolt runs listeners on a thread pool, hence the lock.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.command import Command
from bot.core.subject import Subject
from bot.core.wording import confirmation_expired, confirmation_unknown, only_the_author
from bot.errors import BotError, NotAllowed

MAX_PENDING = 1000
"""Bound on parked commands, so a flood of unconfirmed requests cannot grow memory forever."""


class ConfirmationGoneError(BotError):
    """The token is unknown, already used, or expired: the user must run the command again."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A command waiting for its author's answer."""

    subject: Subject
    channel: str
    text: str
    """The command as typed, for the audit trail and the change-cause."""
    command: Command
    """Already parsed, namespace resolved, and authorized."""
    deadline: datetime


class Confirmations:
    """The parked commands of one bot process (a restart forgets them, which is safe)."""

    def __init__(
        self,
        *,
        expiry: timedelta,
        clock: Callable[[], datetime],
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(16),
    ) -> None:
        self._expiry = expiry
        self._clock = clock
        self._new_token = new_token
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    @property
    def expiry(self) -> timedelta:
        """How long a parked command waits."""
        return self._expiry

    def park(self, *, subject: Subject, channel: str, text: str, command: Command) -> str:
        """Park ``command`` and return the token its confirm buttons carry."""
        with self._lock:
            now = self._clock()
            self._forget_stale(now)
            token = self._new_token()
            self._pending[token] = Pending(subject, channel, text, command, now + self._expiry)
            return token

    def take(self, subject: Subject, token: str) -> Pending:
        """Hand the parked command to its author, once.

        Raises ``NotAllowed`` for anyone else (the entry stays for its author) and
        ``ConfirmationGoneError`` when the token is unknown, used, or expired.
        """
        with self._lock:
            pending = self._pending.get(token)
            if pending is None:
                raise ConfirmationGoneError(confirmation_unknown())
            if pending.subject.user_id != subject.user_id:
                raise NotAllowed(only_the_author(pending.subject.display))
            del self._pending[token]
            if self._clock() >= pending.deadline:
                raise ConfirmationGoneError(confirmation_expired(self._expiry))
            return pending

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def _forget_stale(self, now: datetime) -> None:
        """Drop entries expired for a whole extra period, and the oldest beyond the bound."""
        stale = [t for t, p in self._pending.items() if now >= p.deadline + self._expiry]
        for token in stale:
            del self._pending[token]
        while len(self._pending) >= MAX_PENDING:
            del self._pending[next(iter(self._pending))]
