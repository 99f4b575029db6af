"""The Web API methods the bot calls, as a small in-memory workspace.

Kept free of HTTP so the rules read plainly: each method checks its required arguments the way
Slack names the errors (``channel_not_found``, ``invalid_blocks`` …) and returns Slack's JSON.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakeslack.records import UploadedFile

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_MESSAGE_TEXT = 40_000

Method = Callable[[dict[str, Any]], dict[str, Any]]


def message_problem(body: dict[str, Any]) -> str | None:
    """Slack's error code for a message body it would reject, or None when it is acceptable."""
    blocks = body.get("blocks") or []
    text = body.get("text") or ""
    if not blocks and not text:
        return "no_text"
    if len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    for block in blocks:
        section = block.get("text") if isinstance(block, dict) else None
        if isinstance(section, dict) and len(section.get("text", "")) > MAX_SECTION_TEXT:
            return "invalid_blocks"
    if len(text) > MAX_MESSAGE_TEXT:
        return "msg_too_long"
    return None


@dataclass(slots=True)
class _PendingUpload:
    filename: str
    length: int
    content: bytes | None = None


@dataclass(slots=True)
class Workspace:
    """The state behind the Web API: posted messages, uploads, channels the bot is not in."""

    upload_url_for: Callable[[str], str]
    """Builds the raw-upload URL the fake serves for a file id."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Posted messages as they stand now (``chat.update`` edits them and counts ``edits``)."""
    files: list[UploadedFile] = field(default_factory=list)
    not_in_channel: set[str] = field(default_factory=set)
    """Channels where chat.postMessage answers ``not_in_channel``."""
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    """User group id -> member user ids, for ``usergroups.users.list`` and ``usergroups.list``."""
    handles: dict[str, str] = field(default_factory=dict)
    """User group id -> its handle (``@oncall``, without the ``@``); default: the id, lower."""
    scopes: list[str] = field(
        default_factory=lambda: [
            "commands",
            "chat:write",
            "files:write",
            "im:write",
            "usergroups:read",
            "channels:history",
            "groups:history",
        ]
    )
    """The bot token's scopes, sent in every answer's ``x-oauth-scopes`` header as Slack does."""
    _pending: dict[str, _PendingUpload] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    def methods(self) -> dict[str, Method]:
        """Method name → implementation; anything else is ``unknown_method``."""
        return {
            "auth.test": self.auth_test,
            "chat.postMessage": self.post_message,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.update": self.update,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroups_users_list,
            "usergroups.list": self.usergroups_list,
            "files.getUploadURLExternal": self.get_upload_url,
            "files.completeUploadExternal": self.complete_upload,
        }

    def accept_upload(self, file_id: str, content: bytes) -> bool:
        """The raw POST to an upload URL; False when the id was never handed out."""
        pending = self._pending.get(file_id)
        if pending is None:
            return False
        pending.content = content
        return True

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "k8s",
            "team_id": "T0TEAM",
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        problem = message_problem(params)
        if problem:
            return {"ok": False, "error": problem}
        ts = self._next_ts()
        message = {
            "channel": channel,
            "ts": ts,
            "text": params.get("text", ""),
            "blocks": params.get("blocks") or [],
            "thread_ts": params.get("thread_ts"),
            "user": BOT_USER_ID,
            "edits": 0,
        }
        if isinstance(params.get("metadata"), dict):
            message["metadata"] = params["metadata"]
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        problem = message_problem(params)
        if problem:
            return {"ok": False, "error": problem}
        return {"ok": True, "message_ts": self._next_ts()}

    def update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = params.get("channel"), params.get("ts")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        problem = message_problem(params)
        if problem:
            return {"ok": False, "error": problem}
        for message in self.messages:
            if message["channel"] == channel and message["ts"] == ts:
                message["text"] = params.get("text", message["text"])
                message["blocks"] = params.get("blocks") or message["blocks"]
                message["edits"] += 1
                return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}
        return {"ok": False, "error": "message_not_found"}

    def conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A channel's top-level messages, newest first; ``metadata`` only with
        ``include_all_metadata``."""
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        limit = int(params.get("limit") or 100)
        metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = []
        for message in reversed(self.messages):
            if message["channel"] != channel or message["thread_ts"]:
                continue
            shown = {k: message[k] for k in ("ts", "text", "blocks", "user")} | {"type": "message"}
            if metadata and "metadata" in message:
                shown["metadata"] = message["metadata"]
            found.append(shown)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = str(params.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",", maxsplit=1)[0].lstrip("U")}}

    def usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = str(params.get("usergroup") or "")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}

    def users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("user") or "")
        if not user:
            return {"ok": False, "error": "user_not_found"}
        name = user.removeprefix("U0").lower()
        profile = {"real_name": name.title(), "email": f"{name}@example.com"}
        return {
            "ok": True,
            "user": {"id": user, "name": name, "real_name": name.title(), "profile": profile},
        }

    def usergroups_list(self, params: dict[str, Any]) -> dict[str, Any]:
        with_users = str(params.get("include_users", "")).lower() in ("1", "true")
        groups = []
        for gid, members in self.usergroups.items():
            group: dict[str, Any] = {"id": gid, "handle": self.handles.get(gid, gid.lower())}
            if with_users:
                group["users"] = list(members)
            groups.append(group)
        return {"ok": True, "usergroups": groups}

    def get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        length = params.get("length")
        if not filename:
            return {"ok": False, "error": "invalid_arguments"}
        try:
            size = int(length)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        self._pending[file_id] = _PendingUpload(str(filename), size)
        return {"ok": True, "upload_url": self.upload_url_for(file_id), "file_id": file_id}

    def complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("files")
        if isinstance(entries, str):
            entries = json.loads(entries)
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        done: list[dict[str, Any]] = []
        for entry in entries:
            pending = self._pending.get(str(entry.get("id")))
            if pending is None or pending.content is None:
                return {"ok": False, "error": "file_not_found"}
            if len(pending.content) != pending.length:
                return {"ok": False, "error": "file_uploads_exceeded_length"}
            channel = params.get("channel_id") or params.get("channels")
            self.files.append(
                UploadedFile(
                    file_id=str(entry["id"]),
                    filename=pending.filename,
                    title=entry.get("title"),
                    content=pending.content,
                    channel=str(channel) if channel else None,
                    thread_ts=params.get("thread_ts"),
                    initial_comment=params.get("initial_comment"),
                )
            )
            done.append({"id": entry["id"], "title": entry.get("title") or pending.filename})
        return {"ok": True, "files": done}
