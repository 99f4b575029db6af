"""``events``: kubectl's ``events`` command over core/v1 Events, sorted by when each was last seen.

kubectl 1.32 lists the events (``--for`` as an ``involvedObject`` field selector), keeps the
``--types`` asked for, sorts them by time (the series' last observation, else ``lastTimestamp``,
else ``eventTime``) and prints ``LAST SEEN  TYPE  REASON  OBJECT  MESSAGE``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from bot.core import kube
from bot.core.ages import age, parse_time
from bot.core.kube import Obj
from bot.core.rbac import reads
from bot.core.results import Table
from bot.core.verbs.events import Events
from bot.gateway.discovery import EVENTS
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

_EPOCH: Final = datetime.min.replace(tzinfo=UTC)


def event_time(event: Obj) -> datetime:
    """When kubectl considers the event last seen, for sorting."""
    series = kube.mapping(event, "series")
    for value in (
        series.get("lastObservedTime") if series else None,
        event.get("lastTimestamp"),
        event.get("eventTime"),
    ):
        when = parse_time(value)
        if when is not None:
            return when
    return _EPOCH


def last_seen(event: Obj, now: datetime) -> str:
    """kubectl events' ``LAST SEEN``: ``5m``, or ``1m (x3 over 5m)`` for a repeated event."""
    first = (
        age(event.get("eventTime"), now)
        if event.get("eventTime")
        else age(event.get("firstTimestamp"), now)
    )
    series = kube.mapping(event, "series")
    if series:
        count = kube.number(series, "count")
        return f"{age(series.get('lastObservedTime'), now)} (x{count} over {first})"
    count = kube.number(event, "count")
    if count > 1:
        return f"{age(event.get('lastTimestamp'), now)} (x{count} over {first})"
    return first


def _events(cmd: Events, call: Call) -> Table:
    namespace = None if cmd.all_namespaces else namespace_of(cmd)
    query: list[tuple[str, str]] = []
    if cmd.for_type is not None and cmd.for_name is not None:
        info = call.discovery.resolve(cmd.for_type)
        query.append(
            (
                "fieldSelector",
                f"involvedObject.kind={info.kind},involvedObject.apiVersion={info.api_version},"
                f"involvedObject.name={cmd.for_name}",
            )
        )
    page, _ = call.api.list(
        EVENTS.path(namespace),
        query=query,
        page_size=call.options.page_size,
        max_items=call.options.max_rows,
        target=Target("events", None, namespace),
    )
    items = page.items
    if cmd.types:
        items = [e for e in items if kube.text(e, "type").lower() in {t.lower() for t in cmd.types}]
    items = sorted(items, key=event_time)  # stable, as Go's sort is for kubectl's short lists
    now = call.now()
    rows = []
    for event in items:
        obj = kube.mapping(event, "involvedObject")
        row = (
            last_seen(event, now),
            kube.text(event, "type"),
            kube.text(event, "reason"),
            f"{kube.text(obj, 'kind')}/{kube.text(obj, 'name')}",
            kube.text(event, "message").strip(),
        )
        ns = (kube.text(event, "metadata", "namespace"),) if cmd.all_namespaces else ()
        rows.append((*ns, *row))
    columns = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")
    notes = (
        (f"showing the first {call.options.max_rows} events; use --for or -n to narrow them",)
        if page.truncated
        else ()
    )
    return Table(
        columns=(("NAMESPACE",) if cmd.all_namespaces else ()) + columns,
        rows=tuple(rows),
        empty_message=f"No events found in {namespace} namespace."
        if namespace
        else "No events found.",
        notes=notes,
    )


HANDLER: Final = Handler("events", Events, _events, access=reads("events", "", "list"))
