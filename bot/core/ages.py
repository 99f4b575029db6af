"""Kubernetes timestamps and kubectl's short ages (``5m``, ``3d4h``), without any I/O.

kubectl prints ages with apimachinery's ``duration.HumanDuration``; describe prints times in Go's
``RFC1123Z`` layout. Both are reproduced here so the bot's text matches kubectl's.
"""

from __future__ import annotations

from datetime import UTC, datetime

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""English names regardless of the process locale (``strftime`` would follow it)."""


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 timestamp from the API (``2026-11-29T15:43:04Z``, micro-times too), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """apimachinery's ``HumanDuration``: ``42s``, ``3m5s``, ``12m``, ``5h3m``, ``2d4h``."""
    secs = int(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        rest = secs % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def age(value: object, now: datetime) -> str:
    """kubectl's ``translateTimestampSince``: the age of a timestamp, ``<unknown>`` when unset."""
    when = parse_time(value)
    if when is None:
        return "<unknown>"
    return human_duration((now - when).total_seconds())


def rfc1123z(value: object) -> str:
    """Go's ``time.RFC1123Z`` layout (``Mon, 02 Jan 2006 15:04:05 -0700``) of an API timestamp.

    A missing time prints as Go's zero time, as kubectl does for an unset ``metav1.Time``.
    """
    when = parse_time(value)
    if when is None:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    zone = f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {zone}"
    )


def rfc3339(when: datetime) -> str:
    """Go's ``time.RFC3339`` (seconds precision, ``Z`` for UTC), as kubectl's restartedAt uses."""
    text = when.replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z")
