"""The one "send a message" seam: post a reply, edit it in place, answer in its thread.

Command replies and rollout notifications both speak it, so neither the service nor the notifier
knows a chat platform: the Slack transport implements it with ``chat.postMessage``,
``chat.update`` and ``thread_ts``, the console by printing. It lives in the core, the layer every
user of it already depends on, so that they need not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.reply import Reply


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot posted, as the platform names it, so that it can be edited later.

    Plain strings, so that a reference can be stored (e.g. in the cluster) and used by another
    process after a restart.
    """

    channel: str
    """Where the message is: a Slack channel id (``C…``), or the console's channel label."""
    id: str
    """The platform's id of the message: Slack's ``ts``, a counter in the console."""
    thread: str | None = None
    """The id of the thread's first message when this one was posted in a thread."""


class ChatSink(Protocol):
    """Posts replies as messages in a channel; implementations must be safe across threads.

    Each method returns the message's reference, or None when the platform refused or could not
    be reached (the implementation logs why): delivery problems are not the caller's errors.
    The reply's ``visibility`` is ignored: a message posted here is seen by the channel.
    """

    def post(self, channel: str, reply: Reply) -> MessageRef | None:
        """Post ``reply`` as a new message in ``channel``."""
        ...

    def update(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Replace the content of a posted ``message`` by ``reply``, in place."""
        ...

    def reply_in_thread(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Post ``reply`` in the thread of ``message`` (the thread it is in, if it is a reply)."""
        ...
