"""Watch streams: newline-delimited ``{"type", "object"}`` events over a chunked HTTP response.

Semantics follow the apiserver's watch cache: no resourceVersion (or "0") starts with synthetic
ADDED events for the current state; an RV resumes from the bounded history, and an RV older than
it gets an ERROR event carrying a 410 Expired Status; selector watches turn MODIFIED events into
ADDED/DELETED when an object enters or leaves the selection; bookmarks carry only an RV.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.apiserver.negotiation import Output, Shape, partial_metadata
from kubesim.selectors.fields import FieldSelector
from kubesim.selectors.requirements import LabelSelector
from kubesim.storage.changes import Change
from kubesim.storage.store import Obj, Store

log = logging.getLogger(__name__)

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


class Renderer(Protocol):
    """Turns a stored object into what one watch event carries (``first``: the initial list)."""

    def __call__(self, obj: Obj, *, first: bool) -> dict[str, Any]: ...


"""Turns a stored object into an event's object (a Table row, metadata ...); bool: first event."""


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """What one watch request asked for."""

    rt: ResourceType
    namespace: str | None
    labels: LabelSelector
    fields: FieldSelector
    resource_version: str
    timeout: float | None
    bookmarks: bool
    send_initial_events: bool
    output: Output
    name: str | None = None


class WatchHub:
    """The open watch streams, so a test can drop them all at once."""

    def __init__(self) -> None:
        self._open: set[_Stream] = set()

    def drop(self, *, abrupt: bool) -> int:
        """End every open stream (abruptly: reset the connection). Returns how many."""
        streams = list(self._open)
        for stream in streams:
            stream.stop(abrupt=abrupt)
        return len(streams)

    def __len__(self) -> int:
        return len(self._open)

    def add(self, stream: _Stream) -> None:
        """Track an open stream."""
        self._open.add(stream)

    def discard(self, stream: _Stream) -> None:
        """Forget a closed stream."""
        self._open.discard(stream)


class _Stream:
    def __init__(self, request: web.Request) -> None:
        self.request = request
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue()
        self.abrupt = False

    def stop(self, *, abrupt: bool) -> None:
        self.abrupt = abrupt
        self.queue.put_nowait(None)


def _selected(spec: WatchSpec, obj: Obj | None) -> bool:
    if obj is None:
        return False
    meta = obj["metadata"]
    if spec.namespace is not None and meta.get("namespace", "") != spec.namespace:
        return False
    if spec.name is not None and meta.get("name") != spec.name:
        return False
    return spec.labels.matches(meta.get("labels")) and spec.fields.matches(obj)


def _event_type(spec: WatchSpec, change: Change) -> str | None:
    """The event a selector watch sees for one change (None: not visible to it).

    The history is shared by every resource type, so a change of another type is never
    visible (a resumed cluster-wide watch would otherwise replay pods, events and the rest)."""
    if change.rt is not spec.rt:
        return None
    now_in = _selected(spec, change.obj)
    if change.type != "MODIFIED":
        return change.type if now_in else None
    was_in = _selected(spec, change.old)
    if now_in and was_in:
        return "MODIFIED"
    if now_in:
        return "ADDED"
    return "DELETED" if was_in else None


def expired_event(message: str) -> bytes:
    """An ERROR event carrying a 410 Expired Status."""
    return _line("ERROR", status.gone(message).to_status())


def _line(kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": kind, "object": obj}, separators=(",", ":")).encode() + b"\n"


def bookmark(rt: ResourceType, output: Output, rv: int, *, initial_end: bool = False) -> bytes:
    """A BOOKMARK event: only ``metadata.resourceVersion`` (plus the initial-events marker)."""
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    if output.shape is Shape.OBJECT:
        obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}
    elif output.shape is Shape.TABLE:
        obj = {"kind": "Table", "apiVersion": output.meta_api_version, "metadata": meta, "rows": []}
    else:
        obj = {
            "kind": "PartialObjectMetadata",
            "apiVersion": output.meta_api_version,
            "metadata": meta,
        }
    return _line("BOOKMARK", obj)


def render_object(output: Output, obj: Obj) -> dict[str, Any]:
    """JSON or PartialObjectMetadata rendering (Tables go through the server's renderer)."""
    return partial_metadata(obj, output) if output.shape is Shape.METADATA else obj


async def serve(
    request: web.Request,
    *,
    store: Store,
    hub: WatchHub,
    spec: WatchSpec,
    render: Renderer,
    bookmark_interval: float,
    expire: bool,
) -> web.StreamResponse:
    """Stream events until the timeout, the client leaving, or a test dropping the stream."""
    stream = _Stream(request)
    backlog: list[bytes] = []
    first, failed = True, False

    def encode(kind: str, obj: Obj) -> bytes:
        nonlocal first
        line = _line(kind, render(obj, first=first))
        first = False
        return line

    # Everything up to the tap is synchronous, so no write can slip between snapshot and tap.
    untap = store.tap(stream.queue.put_nowait)
    try:
        start_rv = store.resource_version
        if expire:
            failed = True
            backlog.append(expired_event(f"too old resource version: {spec.resource_version} (0)"))
        elif spec.resource_version in ("", "0") or spec.send_initial_events:
            for obj in store.scan(spec.rt, spec.namespace, labels=spec.labels, fields=spec.fields):
                if spec.name is None or obj["metadata"]["name"] == spec.name:
                    backlog.append(encode("ADDED", obj))
            if spec.send_initial_events and spec.bookmarks:
                backlog.append(bookmark(spec.rt, spec.output, start_rv, initial_end=True))
        else:
            try:
                since = int(spec.resource_version)
            except ValueError:
                raise status.bad_request(
                    f'invalid resource version "{spec.resource_version}"'
                ) from None
            try:
                changes = store.changes_since(since)
            except status.ApiError as err:
                failed = True
                backlog.append(_line("ERROR", err.to_status()))
            else:
                for change in changes:
                    kind = _event_type(spec, change)
                    if kind is not None:
                        backlog.append(encode(kind, change.obj))
    except BaseException:
        untap()
        raise
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    hub.add(stream)
    try:
        await response.prepare(request)
        if backlog:
            await response.write(b"".join(backlog))
        if not failed:
            await _pump(
                response,
                stream,
                store=store,
                spec=spec,
                encode=encode,
                start_rv=start_rv,
                bookmark_interval=bookmark_interval,
            )
    except ConnectionResetError:
        stream.abrupt = True
    except Exception:
        # The response has started: all we can do is log and cut the stream, as a server would.
        log.exception("sandbox: watch %s failed", request.path_qs)
        stream.abrupt = True
    finally:
        untap()
        hub.discard(stream)
    if stream.abrupt:
        transport = request.transport
        if transport is not None:
            transport.abort()
        return response
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response


async def _pump(
    response: web.StreamResponse,
    stream: _Stream,
    *,
    store: Store,
    spec: WatchSpec,
    encode: Callable[[str, Obj], bytes],
    start_rv: int,
    bookmark_interval: float,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = None if spec.timeout is None else loop.time() + spec.timeout
    next_bookmark = loop.time() + bookmark_interval
    while True:
        now = loop.time()
        if deadline is not None and now >= deadline:
            return
        wake = min(next_bookmark, deadline) if deadline is not None else next_bookmark
        try:
            change = await asyncio.wait_for(stream.queue.get(), timeout=max(0.0, wake - now))
        except TimeoutError:
            transport = stream.request.transport
            if transport is None or transport.is_closing():
                stream.abrupt = True
                return
            if spec.bookmarks and loop.time() >= next_bookmark:
                await response.write(bookmark(spec.rt, spec.output, store.resource_version))
            if loop.time() >= next_bookmark:
                next_bookmark = loop.time() + bookmark_interval
            continue
        if change is None:
            return  # stopped by the hub
        if change.rv <= start_rv:
            continue
        chunk = [change]
        while not stream.queue.empty():  # batch a burst into one write
            more = stream.queue.get_nowait()
            if more is None:
                stream.queue.put_nowait(None)
                break
            chunk.append(more)
        lines = []
        for item in chunk:
            if item.rv <= start_rv:
                continue
            kind = _event_type(spec, item)
            if kind is not None:
                lines.append(encode(kind, item.obj))
        if lines:
            await response.write(b"".join(lines))
