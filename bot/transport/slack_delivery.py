"""Getting a ``Reply`` in front of the right people in Slack, whatever breaks on the way.

``Delivery`` is the Slack side of the core's ``ChatSink`` seam, which command announcements and
rollout notifications share: ``post`` (``chat.postMessage``), ``update`` (``chat.update``) and
``reply_in_thread`` (``thread_ts``). It also answers commands and clicks.

Ephemeral replies go back through the request's ``response_url`` (works in any channel, even
where the bot is not a member); if that URL is spent or expired, ``chat.postEphemeral`` is the
fallback. In-channel replies are announcements of changes, so they are posted with
``chat.postMessage``: the message then has a ``ts`` for the full output's thread and does not use
up the response_url; when the bot is not in the channel, ``respond(in_channel)`` is the
fallback. One command thus spends at most one of the response_url's 5 uses (three when a
"working on it" note went first, one more when its full output could not be attached), a
button click two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.core.chat_sink import ChatSink, MessageRef
from bot.core.pending import PromptPlace
from bot.core.replies import posted_reply, progress_reply
from bot.core.reply import Reply, Tone, Visibility
from bot.transport.blocks import SlackMessage, to_slack
from bot.transport.slack_clients import response_client
from bot.transport.slack_files import share_in_thread, share_privately

logger = logging.getLogger(__name__)

MARKER_EVENT = "k8s_chatops_notification"
"""``metadata.event_type`` of a notification posted with a marker."""
HISTORY_LIMIT = 100
"""Messages ``find_marked`` looks through (Slack may give fewer to some apps)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, hence where its answer goes."""

    channel: str
    user_id: str
    response_url: str | None
    """From the payload; a capability to post as the app for 30 minutes, so never logged."""


class Delivery(ChatSink):
    """Posts replies for the Slack app; every method logs failures and never raises Slack errors.

    A ``ChatSink``: a reply too long for one message is cut, and its full text uploaded as a file
    in the message's thread.
    """

    def __init__(
        self,
        client: WebClient,
        *,
        responder: Callable[[str], WebhookClient] = response_client,
    ) -> None:
        self._client = client
        self._responder = responder

    def reply(self, origin: Origin, reply: Reply, *, after_progress: bool = False) -> bool:
        """Answer a slash command; ``after_progress``: a "working on it" note is to go.

        True when Slack took the answer (by one way or another)."""
        if reply.visibility is Visibility.IN_CHANNEL:
            delivered = self._announce(origin, reply)
            if after_progress:
                self._delete_original(origin)
            return delivered
        return self._whisper(origin, reply, replace_original=after_progress)

    def prompt(
        self, origin: Origin, reply: Reply, *, after_progress: bool = False
    ) -> PromptPlace | None:
        """Deliver a confirmation or approval prompt as ``reply`` would be, and say where it
        is, so that it can be replaced when it expires: a posted message (an approval, in the
        channel), or the response_url it was whispered through. None when it went where it
        cannot be edited (``chat.postEphemeral``, or nowhere)."""
        if reply.visibility is Visibility.IN_CHANNEL:
            delivered, posted = self._announced(origin, reply)
            if after_progress:
                self._delete_original(origin)
            if posted is not None:
                return PromptPlace(channel=posted.channel, message=posted.id)
        else:
            delivered, by_url = self._whispered(origin, reply, replace_original=after_progress)
            delivered = delivered and by_url
        if not delivered or not origin.response_url:
            return None
        return PromptPlace(channel=origin.channel, reply_url=origin.response_url)

    def replace_prompt(self, place: PromptPlace, reply: Reply) -> bool:
        """Replace a prompt where ``prompt`` delivered it (``chat.update`` of the message, or
        the response_url with ``replace_original``); False when Slack refused."""
        if place.message:
            return (
                self.update(MessageRef(channel=place.channel, id=place.message), reply) is not None
            )
        origin = Origin(channel=place.channel, user_id="", response_url=place.reply_url)
        return self._respond(origin, to_slack(reply), "ephemeral", replace_original=True)

    def progress(self, origin: Origin, typed: str) -> bool:
        """Post the "working on it" note for a slow command; True when it was posted."""
        note = progress_reply(typed)
        return self._respond(origin, to_slack(note), "ephemeral", replace_original=False)

    def post(self, channel: str, reply: Reply) -> MessageRef | None:
        """Post ``reply`` as a new message in ``channel`` (an id, or a user id for their DM)."""
        return self._post(channel, to_slack(reply), thread=None)

    def post_marked(self, channel: str, reply: Reply, marker: str) -> MessageRef | None:
        """``post`` with ``marker`` in the message's ``metadata`` (readers do not see it), so
        that ``find_marked`` can tell later whether the post went out."""
        metadata = {"event_type": MARKER_EVENT, "event_payload": {"marker": marker}}
        return self._post(channel, to_slack(reply), thread=None, metadata=metadata)

    def find_marked(self, channel: str, marker: str) -> MessageRef | None:
        """The channel's recent message carrying ``marker`` (one ``conversations.history``
        call, asked only after a crash between a post and the notifier's store write); None
        when none is there or Slack cannot say (no ``channels:history`` scope, rate limited)."""
        try:
            answer = self._client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_LIMIT
            )
        except SlackApiError as e:
            logger.warning("conversations.history failed: %s", e.response.get("error"))
            return None
        except (SlackClientError, OSError) as e:
            logger.warning("conversations.history failed: %s", type(e).__name__)
            return None
        for message in answer.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == MARKER_EVENT and payload.get("marker") == marker:
                return MessageRef(channel=channel, id=str(message.get("ts")))
        return None

    def update(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Edit a message the bot posted (``chat.update``); a full output goes in its thread."""
        rendered = to_slack(reply)
        file = rendered.attachment
        if file is not None:
            rendered = rendered.with_note(f"Full output in the thread ({file.filename}).")
        try:
            self._client.chat_update(
                channel=message.channel, ts=message.id, text=rendered.text, blocks=rendered.blocks
            )
        except SlackApiError as e:
            logger.warning("chat.update failed: %s", e.response.get("error"))
            return None
        except (SlackClientError, OSError) as e:
            logger.warning("chat.update failed: %s", type(e).__name__)
            return None
        if file is not None:
            thread = message.thread or message.id
            share_in_thread(self._client, channel=message.channel, thread_ts=thread, file=file)
        return message

    def reply_in_thread(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Post ``reply`` in the thread of ``message`` (``thread_ts``: the thread's first one)."""
        thread = message.thread or message.id
        return self._post(message.channel, to_slack(reply), thread=thread)

    def settle(self, origin: Origin, reply: Reply, *, prompt_is_private: bool) -> bool:
        """Answer a confirm/cancel click: the prompt is replaced by the outcome, changes announced.

        A refused click (someone else's, or a stale one) on a prompt others can see must not wipe
        the author's buttons, so such an error leaves the prompt in place.
        """
        replace = prompt_is_private or reply.tone is not Tone.ERROR
        if reply.visibility is Visibility.IN_CHANNEL:
            delivered = self._announce(origin, reply)
            if replace:
                outcome = posted_reply(reply)
                self._respond(origin, to_slack(outcome), "ephemeral", replace_original=True)
            return delivered
        return self._whisper(origin, reply, replace_original=replace)

    def _whisper(self, origin: Origin, reply: Reply, *, replace_original: bool) -> bool:
        """The answer first, its full output after: the preview does not wait for the upload's
        three Slack calls (and conversations.open). If the upload fails, the answer is replaced
        by one that says so."""
        return self._whispered(origin, reply, replace_original=replace_original)[0]

    def _whispered(
        self, origin: Origin, reply: Reply, *, replace_original: bool
    ) -> tuple[bool, bool]:
        """``_whisper``, and whether it went through the response_url."""
        rendered = to_slack(reply)
        file = rendered.attachment
        message = rendered
        if file is not None:
            message = rendered.with_note(
                f"Full output sent to you in a direct message from the bot ({file.filename})."
            )
        by_url = self._respond(origin, message, "ephemeral", replace_original=replace_original)
        delivered = by_url or self._ephemeral(origin, message)
        if file is not None and delivered:
            problem = share_privately(self._client, user_id=origin.user_id, file=file)
            if problem is not None and by_url:
                failed = rendered.with_note(f"The full output could not be attached ({problem}).")
                self._respond(origin, failed, "ephemeral", replace_original=True)
        return delivered, by_url

    def _ephemeral(self, origin: Origin, message: SlackMessage) -> bool:
        """``chat.postEphemeral``: when the response_url is spent or expired."""
        try:
            self._client.chat_postEphemeral(
                channel=origin.channel,
                user=origin.user_id,
                text=message.text,
                blocks=message.blocks,
            )
        except SlackApiError as e:
            logger.error("could not deliver an ephemeral reply: %s", e.response.get("error"))
            return False
        except (SlackClientError, OSError) as e:
            logger.error("could not deliver an ephemeral reply: %s", type(e).__name__)
            return False
        return True

    def _announce(self, origin: Origin, reply: Reply) -> bool:
        return self._announced(origin, reply)[0]

    def _announced(self, origin: Origin, reply: Reply) -> tuple[bool, MessageRef | None]:
        """``_announce``, and the message it posted (None: answered through the response_url)."""
        rendered = to_slack(reply)
        posted = self._post(origin.channel, rendered, thread=None)
        if posted is not None:
            return True, posted
        # Not a member of the channel (or it is a DM with someone else): answer through Slack.
        message = rendered
        file = rendered.attachment
        if file is not None:
            problem = share_privately(self._client, user_id=origin.user_id, file=file)
            where = "sent to you in a direct message" if problem is None else "not attached"
            message = rendered.with_note(f"Full output {where} ({file.filename}).")
        if not self._respond(origin, message, "in_channel", replace_original=False):
            logger.error("could not announce a change in the channel")
            return False, None
        return True, None

    def _post(
        self,
        channel: str,
        message: SlackMessage,
        *,
        thread: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> MessageRef | None:
        """``chat.postMessage`` of a rendered reply; its attachment goes in the thread."""
        file = message.attachment
        if file is not None:
            message = message.with_note(f"Full output in the thread ({file.filename}).")
        try:
            posted = self._client.chat_postMessage(
                channel=channel,
                text=message.text,
                blocks=message.blocks,
                thread_ts=thread,
                metadata=metadata,
            )
        except SlackApiError as e:
            logger.warning("chat.postMessage failed: %s", e.response.get("error"))
            return None
        except (SlackClientError, OSError) as e:
            logger.warning("chat.postMessage failed: %s", type(e).__name__)
            return None
        ts = posted.get("ts")
        if not ts:
            return None
        # Slack answers with the channel's id, which chat.update needs (a DM posted by user id).
        ref = MessageRef(channel=str(posted.get("channel") or channel), id=str(ts), thread=thread)
        if file is not None:
            share_in_thread(
                self._client, channel=ref.channel, thread_ts=thread or ref.id, file=file
            )
        return ref

    def _delete_original(self, origin: Origin) -> None:
        if origin.response_url:
            try:
                self._responder(origin.response_url).send_dict({"delete_original": True})
            except (SlackClientError, OSError) as e:
                logger.warning("response_url delete failed: %s", type(e).__name__)

    def _respond(
        self, origin: Origin, message: SlackMessage, response_type: str, *, replace_original: bool
    ) -> bool:
        """POST to the response_url; False when there is none or Slack refused it."""
        if not origin.response_url:
            return False
        body: dict[str, Any] = {
            "text": message.text,
            "blocks": [block.to_dict() for block in message.blocks],
            "response_type": response_type,
            "replace_original": replace_original,
        }
        try:
            answer = self._responder(origin.response_url).send_dict(body)
        except (SlackClientError, OSError) as e:
            logger.warning("response_url post failed: %s", type(e).__name__)
            return False
        if answer.status_code != 200:
            logger.warning("response_url post refused: %s %s", answer.status_code, answer.body)
            return False
        return True
