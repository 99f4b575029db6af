"""Slack's side of the wire, in a process of its own: it POSTs signed requests and times the acks.

The arms of the bench (the bot, a bare Bolt app, the raw floor) are served from the bench's own
process, and a client there would share its interpreter lock with them: it held that lock for
most of an ack run, so the acks it timed were mostly its own work, and slowed by whatever the bot
was doing besides (only the bot's arm does work after its ack). Slack is never in the bot's
process; here its client is not either. Times are ``time.perf_counter()``, the system-wide
monotonic clock on Linux, so the bench's process compares them with its own.

Protocol: one JSON job per line on stdin (url, requests, concurrency, timeout), one JSON list of
shots per line on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import aiohttp

Request = tuple[str, str, dict[str, str]]
"""(response_url, body, headers) of one signed request."""


async def _fire(
    session: aiohttp.ClientSession,
    url: str,
    request: Request,
    gate: asyncio.Semaphore,
    timeout: float,
) -> dict[str, Any]:
    response_url, body, headers = request
    async with gate:
        sent = time.perf_counter()
        try:
            async with session.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as answer:
                text = (await answer.read()).decode("utf-8", "replace")
                status = answer.status
        except (TimeoutError, aiohttp.ClientError):
            status, text = 0, ""
        acked = time.perf_counter()
    return {
        "response_url": response_url,
        "sent": sent,
        "acked": acked,
        "status": status,
        "answer": text,
    }


def blast(
    url: str, requests: Sequence[Request], *, concurrency: int, timeout: float
) -> list[dict[str, Any]]:
    """POST every request, at most ``concurrency`` at a time; each bounded by ``timeout``."""

    async def run() -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            return await asyncio.gather(
                *(_fire(session, url, request, gate, timeout) for request in requests)
            )

    return asyncio.run(run())


def main() -> int:
    for line in sys.stdin:
        job = json.loads(line)
        requests = [(r[0], r[1], dict(r[2])) for r in job["requests"]]
        shots = blast(job["url"], requests, concurrency=job["concurrency"], timeout=job["timeout"])
        sys.stdout.write(json.dumps(shots) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
