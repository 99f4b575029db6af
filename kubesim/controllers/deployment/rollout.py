"""Rollout strategies and proportional scaling (``rolling.go``, ``recreate.go``, ``sync.go``).

RollingUpdate grows the new ReplicaSet within maxSurge and shrinks old ones within maxUnavailable,
one step per sync; each step's writes trigger the events that drive the next. Recreate scales
everything old to zero, waits until no old pod is left, then creates the new ReplicaSet.
Scaling a Deployment mid-rollout spreads the change proportionally over the active ReplicaSets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kubesim.controllers.deployment.replicasets import ReplicaSetActions, by_creation
from kubesim.controllers.deployment.rollout_math import (
    ROLLING,
    desired,
    is_saturated,
    max_surge,
    max_unavailable,
    new_rs_new_replicas,
    proportion,
    spec_replicas,
    status_count,
    strategy_type,
    total_spec,
    total_status,
)
from kubesim.storage.storeport import Obj

OldPodsRunning = Callable[[Sequence[Obj]], bool]


def active(rss: Sequence[Obj | None]) -> list[Obj]:
    """``FilterActiveReplicaSets``: those with replicas wanted."""
    return [rs for rs in rss if rs is not None and spec_replicas(rs) > 0]


def rolling(
    actions: ReplicaSetActions, d: Obj, new_rs: Obj, old: list[Obj]
) -> tuple[Obj, list[Obj], bool]:
    """One step of ``rolloutRolling``; returns the (updated) ReplicaSets and whether it scaled."""
    all_rss: list[Obj] = [*old, new_rs]
    want = desired(d)
    if spec_replicas(new_rs) != want:
        target = want if spec_replicas(new_rs) > want else new_rs_new_replicas(d, all_rss, new_rs)
        scaled, new_rs = actions.scale_and_record(d, new_rs, target)
        if scaled:
            return new_rs, old, True
    old, scaled_down = _reconcile_old(actions, d, [*old], new_rs)
    return new_rs, old, scaled_down


def _reconcile_old(
    actions: ReplicaSetActions, d: Obj, old: list[Obj], new_rs: Obj
) -> tuple[list[Obj], bool]:
    """``reconcileOldReplicaSets``."""
    if total_spec(old) == 0:
        return old, False
    all_count = total_spec([*old, new_rs])
    min_available = desired(d) - max_unavailable(d)
    new_unavailable = spec_replicas(new_rs) - status_count(new_rs, "availableReplicas")
    max_scaled_down = all_count - min_available - new_unavailable
    if max_scaled_down <= 0:
        return old, False
    # cleanupUnhealthyReplicas: shrink old ReplicaSets by their unavailable pods first.
    cleaned = 0
    by_age = sorted(range(len(old)), key=lambda i: by_creation(old[i]))
    for i in by_age:
        rs = old[i]
        if cleaned >= max_scaled_down:
            break
        unhealthy = spec_replicas(rs) - status_count(rs, "availableReplicas")
        if spec_replicas(rs) == 0 or unhealthy <= 0:
            continue
        step = min(max_scaled_down - cleaned, unhealthy)
        _, old[i] = actions.scale_and_record(d, rs, spec_replicas(rs) - step)
        cleaned += step
    # scaleDownOldReplicaSetsForRollingUpdate: then by availability, oldest first.
    available = total_status([*old, new_rs], "availableReplicas")
    scaled = 0
    if available > min_available:
        to_remove = available - min_available
        for i in by_age:
            rs = old[i]
            if scaled >= to_remove:
                break
            if spec_replicas(rs) == 0:
                continue
            step = min(spec_replicas(rs), to_remove - scaled)
            _, old[i] = actions.scale_and_record(d, rs, spec_replicas(rs) - step)
            scaled += step
    return old, cleaned + scaled > 0


def recreate(
    actions: ReplicaSetActions,
    d: Obj,
    rss: Sequence[Obj],
    old_pods_running: OldPodsRunning,
) -> tuple[Obj | None, list[Obj]]:
    """One step of ``rolloutRecreate``; returns (new RS or None, old RSes)."""
    new_rs, old = actions.all_and_sync_revision(d, rss, create=False)
    scaled = False
    for i, rs in enumerate(old):
        if spec_replicas(rs) != 0:
            did, old[i] = actions.scale_and_record(d, rs, 0)
            scaled = scaled or did
    if scaled or old_pods_running(old):
        return new_rs, old
    if new_rs is None:
        new_rs, old = actions.all_and_sync_revision(d, [*old], create=True)
    if new_rs is not None:
        _, new_rs = actions.scale_and_record(d, new_rs, desired(d))
    return new_rs, old


def scale(actions: ReplicaSetActions, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
    """``scale``: follow a changed spec.replicas across the active ReplicaSets."""
    want = desired(d)
    latest = _active_or_latest(new_rs, old)
    if latest is not None:
        if spec_replicas(latest) != want:
            actions.scale_and_record(d, latest, want)
        return
    if is_saturated(d, new_rs):
        for rs in active(old):
            actions.scale_and_record(d, rs, 0)
        return
    if strategy_type(d) != ROLLING:
        return
    rss = active([*old, new_rs])
    allowed = want + max_surge(d) if want > 0 else 0
    to_add = allowed - total_spec(rss)
    operation = ""
    if to_add > 0:  # ReplicaSetsBySizeNewer
        rss.sort(key=by_creation, reverse=True)
        rss.sort(key=spec_replicas, reverse=True)
        operation = "up"
    elif to_add < 0:  # ReplicaSetsBySizeOlder
        rss.sort(key=by_creation)
        rss.sort(key=spec_replicas, reverse=True)
        operation = "down"
    sizes: list[int] = []
    added = 0
    for rs in rss:
        share = proportion(rs, d, to_add, added) if to_add else 0
        sizes.append(spec_replicas(rs) + share)
        added += share
    if rss and to_add:
        sizes[0] = max(sizes[0] + to_add - added, 0)
    for rs, size in zip(rss, sizes, strict=True):
        actions.scale(d, rs, size, operation)


def _active_or_latest(new_rs: Obj | None, old: Sequence[Obj]) -> Obj | None:
    """``FindActiveOrLatest``: the only active ReplicaSet, or the newest when none is active."""
    if new_rs is None and not old:
        return None
    newest_first = sorted(old, key=by_creation, reverse=True)
    running = active([*newest_first, new_rs])
    if not running:
        return new_rs if new_rs is not None else newest_first[0]
    return running[0] if len(running) == 1 else None
