"""Sharing a reply's full output as a file, where the reply's audience can read it.

A long table or log is cut to fit a message (``blocks.to_slack`` decides) and the whole text is
uploaded with Slack's external upload flow: ``files.getUploadURLExternal`` (which wants the
length in bytes), a POST of the bytes to the URL it gives, ``files.completeUploadExternal``.
``files_upload_v2`` does the same with the whole text encoded at once, a second copy of an
output that can be 50,000 rows long; here the bytes are encoded and sent a slice at a time, so
the output is held once, as the text the reply already holds.

Ephemeral replies are private, so their file goes to the user's direct message with the bot
(``conversations.open``): posting it in the channel would show everyone what one person chose to
look at privately, and a file shared nowhere is visible to the bot alone. In-channel replies get
theirs in the message's thread, next to the announcement.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from typing import Final, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

logger = logging.getLogger(__name__)

SLICE: Final = 64 * 1024
"""Characters encoded and sent at a time."""


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


def utf8_slices(text: str) -> Iterator[bytes]:
    """``text`` as UTF-8, ``SLICE`` characters at a time (never the whole of it at once)."""
    for start in range(0, len(text), SLICE):
        yield text[start : start + SLICE].encode("utf-8", errors="replace")


def utf8_length(text: str) -> int:
    """The length of ``text`` in UTF-8 bytes, without encoding it whole."""
    if text.isascii():  # the usual case, kubectl's tables; known without reading the text
        return len(text)
    return sum(len(piece) for piece in utf8_slices(text))


def _upload(
    client: WebClient, *, channel: str, thread_ts: str | None, file: FileLike
) -> str | None:
    text = file.content
    length = utf8_length(text)
    try:
        issued = client.files_getUploadURLExternal(filename=file.filename, length=length)
        _send(client, str(issued["upload_url"]), utf8_slices(text), length)
        client.files_completeUploadExternal(
            files=[{"id": str(issued["file_id"]), "title": file.title}],
            channel_id=channel,
            thread_ts=thread_ts,
        )
    except SlackApiError as e:
        return _failed(e.response.api_url.rpartition("/")[2] or "files upload", e)
    except (SlackClientError, OSError) as e:
        # The raw POST to the upload URL failed (refused, or never connected).
        logger.warning("file upload failed: %s", type(e).__name__)
        return "upload_failed"
    return None


def _send(client: WebClient, url: str, body: Iterator[bytes], length: int) -> None:
    """POST ``body`` to the upload URL as slack_sdk does (its proxy, TLS context, timeout), but
    a slice at a time: ``http.client`` sends an iterable body piece by piece."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Length": str(length), "Content-Type": "application/octet-stream"},
    )
    if client.proxy:
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": client.proxy, "https": client.proxy}),
            urllib.request.HTTPSHandler(context=client.ssl),
        )
        answer = opener.open(request, timeout=client.timeout)
    else:
        answer = urllib.request.urlopen(request, context=client.ssl, timeout=client.timeout)
    with answer:
        answer.read()
        if answer.status != 200:
            msg = f"the upload URL answered {answer.status}"
            raise SlackClientError(msg)


def _failed(method: str, error: SlackApiError) -> str:
    code = str(error.response.get("error") or "unknown_error")
    logger.warning("%s failed: %s", method, code)
    return code
