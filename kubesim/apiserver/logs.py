"""``GET pods/NAME/log``: container choice, the kubelet's errors, and ``follow`` streaming.

The lines themselves are synthetic and deterministic (``podlogs``); this module decides which
container is meant and refuses as the kubelet/apiserver do (several containers and none named,
a container still waiting, no previous instance).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from kubesim.api import status
from kubesim.apiserver.routing import Target
from kubesim.kubelet import podlogs
from kubesim.storage.store import Clock, Obj, Store

log = logging.getLogger(__name__)

DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
POLL_SECONDS = 0.2


def _names(pod: Obj, key: str) -> list[str]:
    return [str(c.get("name")) for c in (pod.get("spec") or {}).get(key) or []]


def pick_container(pod: Obj, requested: str | None) -> str:
    """The container a log request means; 400 as the apiserver words it."""
    name = pod["metadata"]["name"]
    containers, inits = _names(pod, "containers"), _names(pod, "initContainers")
    ephemeral = _names(pod, "ephemeralContainers")
    if requested:
        if requested not in (*containers, *inits, *ephemeral):
            raise status.bad_request(f"container {requested} is not valid for pod {name}")
        return requested
    default = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER)
    if default and default in containers:
        return str(default)
    if len(containers) == 1:
        return containers[0]
    message = (
        f"a container name must be specified for pod {name}, "
        f"choose one of: [{' '.join(containers)}]"
    )
    if inits:
        message += f" or one of the init containers: [{' '.join(inits)}]"
    if ephemeral:
        message += f" or one of the ephemeral containers: [{' '.join(ephemeral)}]"
    raise status.bad_request(message)


def readable_run(pod: Obj, container: str, *, previous: bool) -> bool | None:
    """Which run the kubelet reads (True: the last terminated one), None when the pod has no
    node to ask (the apiserver answers empty); 400 with the kubelet's words when it refuses."""
    if not (pod.get("spec") or {}).get("nodeName"):
        return None  # not scheduled: the apiserver has no kubelet to ask and returns nothing
    try:
        return podlogs.reads_previous(pod, container, previous=previous)
    except podlogs.LogUnavailable as e:
        raise status.bad_request(str(e)) from None


def _since(request: web.Request) -> tuple[int | None, datetime | None]:
    raw_seconds, raw_time = request.query.get("sinceSeconds"), request.query.get("sinceTime")
    if raw_seconds and raw_time:
        raise status.bad_request("at most one of sinceTime or sinceSeconds may be specified")
    if raw_seconds:
        try:
            seconds = int(raw_seconds)
        except ValueError:
            raise status.bad_request(f'sinceSeconds: Invalid value: "{raw_seconds}"') from None
        if seconds < 1:
            raise status.bad_request(
                f"sinceSeconds: Invalid value: {seconds}: must be greater than 0"
            )
        return seconds, None
    if raw_time:
        try:
            return None, datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
        except ValueError:
            raise status.bad_request(f'sinceTime: Invalid value: "{raw_time}"') from None
    return None, None


def _int(request: web.Request, key: str) -> int | None:
    raw = request.query.get(key)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise status.bad_request(f'{key}: Invalid value: "{raw}": must be an integer') from None


def _flag(request: web.Request, key: str) -> bool:
    return request.query.get(key, "").lower() in ("1", "true")


async def serve(
    request: web.Request, store: Store, clock: Clock, target: Target
) -> web.StreamResponse:
    """Answer a log request (streaming when ``follow``)."""
    assert target.name is not None
    pod = store.get(target.rt, target.namespace, target.name)
    container = pick_container(pod, request.query.get("container"))
    previous, follow = _flag(request, "previous"), _flag(request, "follow")
    timestamps = _flag(request, "timestamps")
    tail, limit = _int(request, "tailLines"), _int(request, "limitBytes")
    since_seconds, since_time = _since(request)
    now = clock.now()
    run = readable_run(pod, container, previous=previous)
    if run is None:
        return web.Response(text="", content_type="text/plain")
    lines = podlogs.log_lines(pod, container, previous=run, until=now)
    text = podlogs.select(
        lines,
        since_seconds=since_seconds,
        since_time=since_time,
        tail_lines=tail,
        timestamps=timestamps,
        limit_bytes=limit,
        now=now,
    )
    if not follow or run:
        return web.Response(text=text, content_type="text/plain")
    last = lines[-1][0] if lines else None
    return await _follow(request, store=store, clock=clock, target=target, first=text, last=last)


async def _follow(
    request: web.Request,
    *,
    store: Store,
    clock: Clock,
    target: Target,
    first: str,
    last: datetime | None,
) -> web.StreamResponse:
    """Stream lines as they appear until the pod goes away, stops, or the client leaves."""
    assert target.name is not None
    container = pick_container(
        store.get(target.rt, target.namespace, target.name), request.query.get("container")
    )
    timestamps, limit = _flag(request, "timestamps"), _int(request, "limitBytes")
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    sent = len(first.encode())
    uid = (
        (store.peek(target.rt, target.namespace, target.name) or {}).get("metadata", {}).get("uid")
    )
    try:
        if first:
            await response.write(first.encode())
        while limit is None or sent < limit:
            await asyncio.sleep(POLL_SECONDS)
            transport = request.transport
            if transport is None or transport.is_closing():
                return response
            current = store.peek(target.rt, target.namespace, target.name)
            if current is None or current["metadata"]["uid"] != uid:
                break
            now = clock.now()
            fresh = podlogs.lines_after(
                podlogs.log_lines(current, container, previous=False, until=now), last
            )
            if fresh:
                last = fresh[-1][0]
                chunk = podlogs.select(
                    fresh,
                    timestamps=timestamps,
                    limit_bytes=None if limit is None else limit - sent,
                    now=now,
                )
                await response.write(chunk.encode())
                sent += len(chunk.encode())
            if (current.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                break
        await response.write_eof()
    except ConnectionResetError:
        pass
    except Exception:
        log.exception("sandbox: log stream %s failed", request.path_qs)
        if request.transport is not None:
            request.transport.abort()
    return response
