"""Percentiles of a list of samples, as plain numbers for the table and the JSON."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95, p99, max in milliseconds (NaN when there is no sample)."""
    if not seconds:
        nan = float("nan")
        return {"n": 0, "p50_ms": nan, "p95_ms": nan, "p99_ms": nan, "max_ms": nan}
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
    }


def ratio(a: float, b: float) -> float:
    """a / b, NaN when either is missing."""
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return float("nan")
    return round(a / b, 2)
