"""The Socket Mode side of the fake: tickets, the websocket, envelopes pushed and acks collected.

Slack's protocol: ``apps.connections.open`` (xapp token) returns a one-time websocket URL; the
server greets with ``hello``, pushes envelopes and expects ``{"envelope_id": …}`` back; a
``disconnect`` message asks the client to fetch a fresh URL and reconnect.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakeslack.records import Ack


class SocketHub:
    """Websocket sessions of the app under test; thread-safe entry points for the test thread."""

    def __init__(
        self,
        *,
        changed: threading.Condition,
        loop: Callable[[], asyncio.AbstractEventLoop],
        link_url: Callable[[str], str],
    ) -> None:
        self._changed = changed
        self._loop = loop
        self._link_url = link_url
        self._tickets: set[str] = set()
        self._live: list[web.WebSocketResponse] = []
        self._acks: dict[str, Ack] = {}
        self.hellos = 0
        """How many sessions were greeted; a reconnect makes it grow."""

    @property
    def live(self) -> int:
        """Open websocket sessions right now."""
        with self._changed:
            return len(self._live)

    def issue_url(self) -> str:
        """A one-time ``ws://…/link/?ticket=…`` for apps.connections.open."""
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        return self._link_url(ticket)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """One websocket session: hello, then read acks until the client goes away."""
        ticket = request.query.get("ticket", "")
        with self._changed:
            known = ticket in self._tickets
            self._tickets.discard(ticket)
        if not known:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0K8S"},
            }
        )
        with self._changed:
            self._live.append(ws)
            self.hellos += 1
            self._changed.notify_all()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._record_ack(json.loads(message.data))
        finally:
            with self._changed:
                if ws in self._live:
                    self._live.remove(ws)
                self._changed.notify_all()
        return ws

    def _record_ack(self, data: dict[str, Any]) -> None:
        envelope_id = data.get("envelope_id")
        if not isinstance(envelope_id, str):
            return
        with self._changed:
            self._acks[envelope_id] = Ack(envelope_id, data.get("payload"))
            self._changed.notify_all()

    def ack_for(self, envelope_id: str) -> Ack | None:
        """The ack received for an envelope, if any yet."""
        with self._changed:
            return self._acks.get(envelope_id)

    def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        session: int | None = None,
    ) -> str:
        """Send an envelope on the newest session (or the ``session``-th open one, in
        connection order); returns its envelope id."""
        envelope_id = uuid.uuid4().hex
        self._send(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
            },
            session=session,
        )
        return envelope_id

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        self._send({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}})

    async def close_all(self) -> None:
        """Close every session (server shutdown)."""
        with self._changed:
            sessions = list(self._live)
        for ws in sessions:
            await ws.close()

    def _send(self, message: dict[str, Any], *, session: int | None = None) -> None:
        with self._changed:
            if not self._live:
                raise RuntimeError("no Socket Mode session is connected")
            ws = self._live[-1 if session is None else session]
        future = asyncio.run_coroutine_threadsafe(ws.send_str(json.dumps(message)), self._loop())
        future.result(timeout=5)
