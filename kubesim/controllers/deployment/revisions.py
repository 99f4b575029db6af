"""Revision bookkeeping on Deployments and their ReplicaSets (the annotations kubectl reads).

``rollout history`` and ``rollout undo`` work only from these annotations, so they follow
``SetNewReplicaSetAnnotations``: the new ReplicaSet gets max(old)+1, a reused one appends its
old number to ``revision-history``, and the Deployment's own annotations (change-cause included)
are copied onto the new ReplicaSet except the skip list.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubesim.storage.storeport import Obj

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
_SKIP_COPY = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS,
        "deprecated.deployment.rollback.to",
    }
)
_MAX_HISTORY_CHARS = 2000


def annotations_of(obj: Obj) -> dict[str, str]:
    """``metadata.annotations``, created when missing (for writing)."""
    meta = obj.setdefault("metadata", {})
    if meta.get("annotations") is None:
        meta["annotations"] = {}
    found: dict[str, str] = meta["annotations"]
    return found


def revision(obj: Obj | None) -> int | None:
    """The revision number; 0 when absent, None when unparsable (such objects are skipped)."""
    if obj is None:
        return 0
    text = (obj.get("metadata", {}).get("annotations") or {}).get(REVISION)
    if text is None or text == "":
        return 0
    try:
        return int(text)
    except ValueError:
        return None


def max_revision(rss: Iterable[Obj]) -> int:
    """``MaxRevision`` over ReplicaSets."""
    return max((rev for rs in rss if (rev := revision(rs)) is not None), default=0)


def copy_deployment_annotations(d: Obj, rs: Obj) -> bool:
    """Copy every Deployment annotation outside the skip list; True when something changed."""
    target = annotations_of(rs)
    changed = False
    for key, value in (d.get("metadata", {}).get("annotations") or {}).items():
        if key in _SKIP_COPY or target.get(key) == value:
            continue
        target[key] = value
        changed = True
    return changed


def set_replicas_annotations(rs: Obj, desired: int, max_replicas: int) -> bool:
    """Stamp desired-replicas/max-replicas; True when they changed."""
    target = annotations_of(rs)
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(max_replicas))):
        if target.get(key) != value:
            target[key] = value
            changed = True
    return changed


def set_new_rs_annotations(
    d: Obj, rs: Obj, new_revision: int, *, exists: bool, desired: int, max_replicas: int
) -> bool:
    """``SetNewReplicaSetAnnotations``; True when ``rs`` changed."""
    changed = copy_deployment_annotations(d, rs)
    target = annotations_of(rs)
    old_text = target.get(REVISION)
    old = 0
    if old_text:
        try:
            old = int(old_text)
        except ValueError:
            return False
    if old < new_revision:
        target[REVISION] = str(new_revision)
        changed = True
        if old_text:
            _append_history(target, old_text)
    if not exists and set_replicas_annotations(rs, desired, max_replicas):
        changed = True
    return changed


def set_deployment_revision(d: Obj, value: str) -> bool:
    """``SetDeploymentRevision``; True when the annotation changed."""
    target = annotations_of(d)
    if target.get(REVISION) == value:
        return False
    target[REVISION] = value
    return True


def desired_annotation(rs: Obj) -> int | None:
    """The desired-replicas annotation as an int, or None."""
    text = (rs.get("metadata", {}).get("annotations") or {}).get(DESIRED_REPLICAS)
    return int(text) if text is not None and str(text).isdigit() else None


def _append_history(target: dict[str, str], old: str) -> None:
    history = target.get(REVISION_HISTORY, "")
    if not history:
        target[REVISION_HISTORY] = old
        return
    parts = history.split(",")
    total = len(history) + len(old) + 1
    start = 0
    while total > _MAX_HISTORY_CHARS and start < len(parts):
        total -= len(parts[start]) + 1
        start += 1
    if total <= _MAX_HISTORY_CHARS:
        target[REVISION_HISTORY] = ",".join([*parts[start:], old])
