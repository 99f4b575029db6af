"""A previewed request and the states of its life, stored as plain JSON any replica reads,
and what a click on one no longer pending is told."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.pending import PromptPlace
from bot.core.preview import Preview
from bot.core.subject import Subject


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
