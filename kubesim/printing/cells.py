"""Cell formatting shared by the Table printers: ages, label maps and selectors.

These mirror ``k8s.io/apimachinery/pkg/util/duration.HumanDuration``, ``labels.FormatLabels`` and
``metav1.LabelSelectorAsSelector(...).String()`` so the AGE and SELECTOR columns read exactly as
against a real cluster.

Copied on purpose from ``bot.core.ages`` (``human_duration``) and ``bot.core.kube``
(``format_labels``, ``selector_string``) as an independent oracle; do not share.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

UNKNOWN = "<unknown>"
NONE = "<none>"


@lru_cache(maxsize=65536)
def parse_time(value: str) -> datetime | None:
    """An RFC 3339 (or MicroTime) string as an aware datetime; ``None`` when unparseable."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def timestamp(value: Any) -> datetime | None:
    """A timestamp field (string or missing) as a datetime."""
    return parse_time(value) if isinstance(value, str) and value else None


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration`` for an elapsed time in seconds."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
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


def since(value: Any, now: datetime) -> str:
    """``translateTimestampSince``: ``<unknown>`` for a missing time."""
    when = timestamp(value)
    if when is None:
        return UNKNOWN
    return human_duration((now - when).total_seconds())


def format_labels(labels: Any) -> str:
    """``labels.FormatLabels``: ``k=v`` sorted by key, ``<none>`` when empty."""
    if not isinstance(labels, dict) or not labels:
        return NONE
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def selector_string(selector: Any) -> str:
    """``LabelSelectorAsSelector(sel).String()``; empty for a nil or empty selector."""
    if not isinstance(selector, dict):
        return ""
    parts: list[tuple[str, str]] = [
        (str(k), f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()
    ]
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            continue
        key = str(expr.get("key", ""))
        op = expr.get("operator")
        values = ",".join(sorted(str(v) for v in expr.get("values") or []))
        if op == "In":
            parts.append((key, f"{key} in ({values})"))
        elif op == "NotIn":
            parts.append((key, f"{key} notin ({values})"))
        elif op == "Exists":
            parts.append((key, key))
        elif op == "DoesNotExist":
            parts.append((key, f"!{key}"))
    parts.sort(key=lambda p: p[0])
    return ",".join(text for _, text in parts)


def container_cells(template_spec: Any) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-joined."""
    containers = (template_spec or {}).get("containers") or []
    names = ",".join(str(c.get("name", "")) for c in containers if isinstance(c, dict))
    images = ",".join(str(c.get("image", "")) for c in containers if isinstance(c, dict))
    return names, images
