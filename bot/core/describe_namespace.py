"""``kubectl describe namespace|resourcequota|limitrange``: status, quotas' usage, limits.

A namespace's description ends with every ResourceQuota in it (used against hard, per resource)
and every LimitRange (min, max, defaults per type and resource), as kubectl's
``DescribeResourceQuotas`` and ``DescribeLimitRanges`` print them. kubectl lists a limit item's
resources in Go's random map order; the bot sorts them by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from bot.core import kube, quantity, tabwriter
from bot.core.ages import rfc1123z
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.kube import Obj

_SCOPE_HELP: Final = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited "
    "lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually "
    "include long running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have "
    "a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These "
    "pods have a burstable or guaranteed quality of service.",
}
_LIMIT_FIELDS: Final = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")


def _scopes(out: Out, quota: Obj, level: int, bullet: str) -> None:
    scopes = sorted(kube.strings(quota, "spec", "scopes"))
    if not scopes:
        return
    out.write(level, f"Scopes:\t{', '.join(scopes)}\n")
    for scope in scopes:
        if scope in _SCOPE_HELP:
            out.write(level, f"{bullet}{_SCOPE_HELP[scope]}\n")


def _limit_rows(out: Out, limit_range: Obj, prefix: str) -> None:
    """``describeLimitRangeSpec``: one row per (item, resource), ``-`` where unset."""
    for item in kube.items(limit_range, "spec", "limits"):
        maps = {f: kube.string_map(item, f) for f in _LIMIT_FIELDS}
        names = sorted({name for values in maps.values() for name in values})
        for name in names:
            cells = [
                str(quantity.parse(maps[f][name])) if name in maps[f] else "-"
                for f in _LIMIT_FIELDS
            ]
            out.write(0, f"{prefix}{kube.text(item, 'type')}\t{name}\t" + "\t".join(cells) + "\n")


def _limits_header(prefix: str) -> str:
    return (
        f"{prefix}Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
        "Max Limit/Request Ratio\n"
        f"{prefix}----\t--------\t---\t---\t---------------\t-------------\t"
        "-----------------------\n"
    )


def describe_namespace(
    namespace: Obj, quotas: Sequence[Obj] | None, limit_ranges: Sequence[Obj] | None
) -> str:
    """``kubectl describe namespace`` (None leaves a section out, as when the API lacks it)."""
    out = Out()
    meta = kube.mapping(namespace, "metadata")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Status:\t{kube.text(namespace, 'status', 'phase')}\n")
    conditions = kube.items(namespace, "status", "conditions")
    if conditions:
        out.write(0, "Conditions:\n")
        out.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        out.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            stamp = rfc1123z(kube.text(c, "lastTransitionTime"))
            out.write(
                1,
                f"{kube.text(c, 'type')}\t{kube.text(c, 'status')}\t{stamp}\t"
                f"{kube.text(c, 'reason')}\t{kube.text(c, 'message')}\n",
            )
    if quotas is not None:
        out.write(0, "\n")
        _quotas(out, quotas)
    if limit_ranges is not None:
        out.write(0, "\n")
        if not limit_ranges:
            out.write(0, "No LimitRange resource.\n")
        else:
            out.write(0, "Resource Limits\n" + _limits_header(" "))
            for limit_range in limit_ranges:
                _limit_rows(out, limit_range, " ")
    return tabwriter.align(out.text())


def _quotas(out: Out, quotas: Sequence[Obj]) -> None:
    """``DescribeResourceQuotas``: every quota by name, its resources sorted."""
    if not quotas:
        out.write(0, "No resource quota.\n")
        return
    out.write(0, "Resource Quotas\n")
    for quota in sorted(quotas, key=kube.name_of):
        out.write(1, f"Name:\t{kube.name_of(quota)}\n")
        _scopes(out, quota, 1, "* ")
        out.write(1, "Resource\tUsed\tHard\n")
        out.write(1, "--------\t---\t---\n")
        hard, used = (
            kube.string_map(quota, "status", "hard"),
            kube.string_map(quota, "status", "used"),
        )
        for name in sorted(hard):
            out.write(
                1, f"{name}\t{quantity.parse(used.get(name))}\t{quantity.parse(hard[name])}\n"
            )


def describe_quota(quota: Obj) -> str:
    """``kubectl describe resourcequota``: used beside hard, in hard's format."""
    out = Out()
    out.write(0, f"Name:\t{kube.name_of(quota)}\n")
    out.write(0, f"Namespace:\t{kube.text(quota, 'metadata', 'namespace')}\n")
    _scopes(out, quota, 0, " * ")
    out.write(0, "Resource\tUsed\tHard\n")
    out.write(0, "--------\t----\t----\n")
    hard, used = kube.string_map(quota, "status", "hard"), kube.string_map(quota, "status", "used")
    for name in sorted(hard):
        limit, usage = quantity.parse(hard[name]), quantity.parse(used.get(name))
        if usage.format != limit.format:
            usage = quantity.Quantity(Decimal(usage.int_value()), limit.format)
        out.write(0, f"{name}\t{usage}\t{limit}\n")
    return tabwriter.align(out.text())


def describe_limit_range(limit_range: Obj) -> str:
    """``kubectl describe limitrange``."""
    out = Out()
    out.write(0, f"Name:\t{kube.name_of(limit_range)}\n")
    out.write(0, f"Namespace:\t{kube.text(limit_range, 'metadata', 'namespace')}\n")
    out.write(0, _limits_header(""))
    _limit_rows(out, limit_range, "")
    return tabwriter.align(out.text())
