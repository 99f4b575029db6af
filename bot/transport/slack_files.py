"""Sharing a reply's full output as a file, where the reply's audience can read it.

A long table or log is cut to fit a message (``blocks.to_slack`` decides) and the whole text is
uploaded with ``files_upload_v2``. Ephemeral replies are private, so their file goes to the
user's direct message with the bot (``conversations.open``): posting it in the channel would show
everyone what one person chose to look at privately, and a file shared nowhere is visible to
the bot alone. In-channel replies get theirs in the message's thread, next to the announcement.
"""

from __future__ import annotations

import logging
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

logger = logging.getLogger(__name__)


class FileLike(Protocol):
    """What ``blocks.to_slack`` hands over for an attachment."""

    @property
    def filename(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def title(self) -> str: ...


def share_privately(client: WebClient, *, user_id: str, file: FileLike) -> str | None:
    """Upload ``file`` to the user's DM with the bot; None on success, else Slack's error code."""
    try:
        opened = client.conversations_open(users=user_id)
        channel = opened["channel"]["id"]
    except SlackApiError as e:
        return _failed("conversations.open", e)
    return _upload(client, channel=channel, thread_ts=None, file=file)


def share_in_thread(
    client: WebClient, *, channel: str, thread_ts: str, file: FileLike
) -> str | None:
    """Upload ``file`` into the thread of an announcement; None on success, else the error."""
    return _upload(client, channel=channel, thread_ts=thread_ts, file=file)


def _upload(
    client: WebClient, *, channel: str, thread_ts: str | None, file: FileLike
) -> str | None:
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=file.content,
            filename=file.filename,
            title=file.title,
        )
    except SlackApiError as e:
        return _failed("files_upload_v2", e)
    except (SlackClientError, OSError) as e:
        # The raw POST to the upload URL failed (SlackRequestError) or never connected.
        logger.warning("file upload failed: %s", type(e).__name__)
        return "upload_failed"
    return None


def _failed(method: str, error: SlackApiError) -> str:
    code = str(error.response.get("error") or "unknown_error")
    logger.warning("%s failed: %s", method, code)
    return code
