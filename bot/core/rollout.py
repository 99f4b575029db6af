"""kubectl's Deployment rollout vocabulary over raw objects: revisions, which ReplicaSets are a
Deployment's (the new one, the old ones), and the restart patch.

Reproduced from kubectl's ``polymorphichelpers`` (objectrestarter.go) and ``pkg/util/deployment``:
the gateway fetches the Deployment and its ReplicaSets as JSON and these functions decide what
kubectl would find or send. Status, rollback and history, built on them, are
``rollout_status``, ``rollback`` and ``rollout_history``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from bot.core import kube
from bot.core.ages import parse_time, rfc3339
from bot.core.kube import Obj
from bot.errors import ClusterError

REVISION: Final = "deployment.kubernetes.io/revision"
CHANGE_CAUSE: Final = "kubernetes.io/change-cause"
HASH_LABEL: Final = "pod-template-hash"
RESTARTED_AT: Final = "kubectl.kubernetes.io/restartedAt"


def revision(obj: Obj) -> int | None:
    """``deploymentutil.Revision``: the revision annotation, 0 when absent, None if unparsable."""
    annotations = kube.string_map(obj, "metadata", "annotations")
    if REVISION not in annotations:
        return 0
    value = annotations[REVISION]
    # Go's strconv.ParseInt: optional sign and ASCII digits only (no spaces or underscores).
    return int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else None


def owned_replica_sets(deployment: Obj, replica_sets: Sequence[Obj]) -> list[Obj]:
    """The listed ReplicaSets whose controller ownerReference is this Deployment (by uid)."""
    uid = kube.text(deployment, "metadata", "uid")
    return [rs for rs in replica_sets if kube.controller_uid(rs) == uid]


def _normalized(value: Any) -> Any:
    """Drop nulls and empty maps/lists: apimachinery's semantic equality treats nil == empty."""
    if isinstance(value, dict):
        out = {k: _normalized(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _without_hash(template: Obj) -> Obj:
    copy = _normalized(template)
    labels = dict(kube.mapping(copy, "metadata", "labels"))
    labels.pop(HASH_LABEL, None)
    meta = dict(kube.mapping(copy, "metadata"))
    if labels:
        meta["labels"] = labels
    else:
        meta.pop("labels", None)
    result = dict(copy)
    if meta:
        result["metadata"] = meta
    else:
        result.pop("metadata", None)
    return result


def templates_equal(a: Obj, b: Obj) -> bool:
    """``equalIgnoreHash``: pod templates equal apart from the ``pod-template-hash`` label."""
    return bool(_without_hash(a) == _without_hash(b))


def _creation_key(rs: Obj) -> tuple[str, str]:
    when = parse_time(kube.text(rs, "metadata", "creationTimestamp"))
    return (when.isoformat() if when else "", kube.name_of(rs))


def new_replica_set(deployment: Obj, owned: Sequence[Obj]) -> Obj | None:
    """``FindNewReplicaSet``: the oldest owned RS whose template matches the Deployment's."""
    template = kube.mapping(deployment, "spec", "template")
    for rs in sorted(owned, key=_creation_key):
        if templates_equal(kube.mapping(rs, "spec", "template"), template):
            return rs
    return None


def old_replica_sets(deployment: Obj, owned: Sequence[Obj]) -> list[Obj]:
    """All owned ReplicaSets except the new one, oldest first (describe's OldReplicaSets)."""
    new = new_replica_set(deployment, owned)
    new_uid = kube.text(new, "metadata", "uid") if new else None
    return [
        rs for rs in sorted(owned, key=_creation_key) if kube.text(rs, "metadata", "uid") != new_uid
    ]


def restart_patch(deployment: Obj, now: datetime) -> Obj:
    """The strategic-merge patch ``rollout restart`` sends (``restartedAt`` = now, RFC 3339).

    Raises ``ClusterError`` like kubectl for a paused Deployment, or when a restart was already
    triggered within the same second (the patch would be empty).
    """
    name = kube.name_of(deployment)
    if kube.flag(deployment, "spec", "paused"):
        raise ClusterError("can't restart paused deployment (run rollout resume first)")
    stamp = rfc3339(now)
    current = kube.string_map(deployment, "spec", "template", "metadata", "annotations")
    if current.get(RESTARTED_AT) == stamp:
        raise ClusterError(
            f'failed to create patch for deployment "{name}": if restart has already been '
            "triggered within the past second, please wait before attempting to trigger another"
        )
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
