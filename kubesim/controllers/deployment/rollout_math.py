"""The arithmetic of a rolling update (``pkg/controller/deployment/util``), kept pure.

maxSurge rounds up and maxUnavailable rounds down, and both resolving to 0 turns maxUnavailable
into 1 (validation forbids it, but percentages of small replica counts can still get there).
These few functions decide every pod count a user sees during ``kubectl rollout status``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kubesim.storage.storeport import Obj

ROLLING = "RollingUpdate"
RECREATE = "Recreate"
_DEFAULT_FENCEPOST = "25%"


def desired(d: Obj) -> int:
    """``spec.replicas`` (defaulted to 1 by the apiserver)."""
    value = d.get("spec", {}).get("replicas")
    return 1 if value is None else int(value)


def strategy_type(d: Obj) -> str:
    """``spec.strategy.type``, RollingUpdate when unset."""
    return str(d.get("spec", {}).get("strategy", {}).get("type") or ROLLING)


def scaled_value(value: int | str | None, total: int, *, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if value is None:
        value = _DEFAULT_FENCEPOST
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.endswith("%"):
        return int(text) if text.isdigit() else 0
    try:
        percent = int(text[:-1])
    except ValueError:
        return 0
    scaled = percent * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def fenceposts(d: Obj) -> tuple[int, int]:
    """``ResolveFenceposts``: (maxSurge, maxUnavailable) as pod counts."""
    rolling = d.get("spec", {}).get("strategy", {}).get("rollingUpdate") or {}
    total = desired(d)
    surge = scaled_value(rolling.get("maxSurge"), total, round_up=True)
    unavailable = scaled_value(rolling.get("maxUnavailable"), total, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Obj) -> int:
    """``MaxSurge``: 0 unless the strategy is RollingUpdate."""
    return fenceposts(d)[0] if strategy_type(d) == ROLLING else 0


def max_unavailable(d: Obj) -> int:
    """``MaxUnavailable``: 0 unless rolling; never more than the desired count."""
    if strategy_type(d) != ROLLING or desired(d) == 0:
        return 0
    return min(fenceposts(d)[1], desired(d))


def spec_replicas(rs: Obj | None) -> int:
    """``rs.spec.replicas`` (0 for a missing ReplicaSet)."""
    if rs is None:
        return 0
    value = rs.get("spec", {}).get("replicas")
    return 1 if value is None else int(value)


def status_count(rs: Obj | None, field: str) -> int:
    """A ReplicaSet status counter, absent meaning 0."""
    if rs is None:
        return 0
    return int(rs.get("status", {}).get(field) or 0)


def total_spec(rss: Sequence[Obj | None]) -> int:
    """``GetReplicaCountForReplicaSets``."""
    return sum(spec_replicas(rs) for rs in rss if rs is not None)


def total_status(rss: Sequence[Obj | None], field: str) -> int:
    """Sum of a status counter (replicas, readyReplicas, availableReplicas)."""
    return sum(status_count(rs, field) for rs in rss if rs is not None)


def new_rs_new_replicas(d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj) -> int:
    """``NewRSNewReplicas``: how far the new ReplicaSet may grow now."""
    if strategy_type(d) != ROLLING:
        return desired(d)
    current = total_spec(all_rss)
    max_total = desired(d) + fenceposts(d)[0]
    if current >= max_total:
        return spec_replicas(new_rs)
    scale_up = min(max_total - current, desired(d) - spec_replicas(new_rs))
    return spec_replicas(new_rs) + scale_up


def is_saturated(d: Obj, rs: Obj | None) -> bool:
    """``IsSaturated``: the new ReplicaSet runs everything the Deployment wants."""
    if rs is None:
        return False
    wanted = (
        rs.get("metadata", {})
        .get("annotations", {})
        .get("deployment.kubernetes.io/desired-replicas")
    )
    if wanted is None or not str(wanted).isdigit():
        return False
    return (
        spec_replicas(rs) == desired(d)
        and int(wanted) == desired(d)
        and status_count(rs, "availableReplicas") == desired(d)
    )


def replicaset_fraction(rs: Obj, d: Obj) -> int:
    """``getReplicaSetFraction``: this ReplicaSet's share of a proportional scale."""
    if desired(d) == 0:
        return -spec_replicas(rs)
    deployment_replicas = desired(d) + max_surge(d)
    annotated = (
        rs.get("metadata", {}).get("annotations", {}).get("deployment.kubernetes.io/max-replicas")
    )
    if annotated is not None and str(annotated).isdigit():
        base = int(annotated)
    else:
        base = int(d.get("status", {}).get("replicas") or 0)
    if base == 0:
        return 0
    new_size = spec_replicas(rs) * deployment_replicas / base
    return _round_half_away(new_size) - spec_replicas(rs)


def proportion(rs: Obj, d: Obj, to_add: int, added: int) -> int:
    """``GetProportion``: bounded by what is still left to add (or remove)."""
    if spec_replicas(rs) == 0 or to_add in (0, added):
        return 0
    fraction = replicaset_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _round_half_away(value: float) -> int:
    """``integer.RoundToInt32`` (math.Round: halves away from zero)."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)
