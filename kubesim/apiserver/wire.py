"""What every REST handler shares: query parameters parsed as the apiserver parses them, and the
JSON bodies it answers with.

Kept apart from the handlers so that reads, writes and deletes (objects.py, deletes.py)
and the server's error answers (server.py) agree on them.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from kubesim.api import status

Obj = dict[str, Any]


def respond(body: Any, *, code: int = 200) -> web.Response:
    """A JSON response."""
    return web.Response(
        status=code,
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(),
        content_type="application/json",
    )


def flag(value: str | None) -> bool:
    """A boolean query parameter (``true`` or ``1``)."""
    return value is not None and value.lower() in ("1", "true")


def dry_run(request: web.Request) -> bool:
    """Whether ``?dryRun=All`` was asked for; 400 on any other value."""
    values = request.query.getall("dryRun", [])
    for value in values:
        if value != "All":
            raise status.bad_request(
                f'dryRun: Unsupported value: "{value}": supported values: "All"'
            )
    return bool(values)


def int_param(request: web.Request, name: str) -> int | None:
    """An integer query parameter (None when absent or empty); 400 when not an integer."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise status.bad_request(f'{name}: Invalid value: "{raw}": must be an integer') from None


def without_type(obj: Obj) -> Obj:
    """List items carry no kind/apiVersion, as in a real list response."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
