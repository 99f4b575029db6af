"""``label|annotate TYPE NAME KEY=VALUE ... [KEY-] [--overwrite]`` on kubectl's requests and lines.

kubectl reads the object, refuses a changed value without ``--overwrite`` (annotate lets
``kubernetes.io/change-cause`` through), applies the updates to its copy and sends the JSON
merge patch between the two, even an empty one, with ``fieldManager=kubectl-label`` (or
``kubectl-annotate``). An absent map becomes an empty one, so removing a missing label of an
object without labels sends ``{"metadata":{"labels":{}}}``.

``label`` says ``labeled``, ``unlabeled`` or ``not labeled`` from comparing the object's JSON
before and after (kubectl's ``updateDataChangeMsg``: unchanged bytes, or shorter without
``--overwrite``); only the map differs, so comparing its encoding is the same test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Change
from bot.core.verbs.label import MetadataChange, MetadataField
from bot.errors import Conflict
from bot.gateway.api import MERGE_PATCH
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

_CHANGE_CAUSE: Final = "kubernetes.io/change-cause"


def _encoded_length(values: Mapping[str, str] | None) -> int:
    """Bytes ``"labels":{...},`` takes in Go's JSON of the object (0 when absent)."""
    if values is None:
        return 0
    return len(json.dumps(dict(values), separators=(",", ":"), sort_keys=True).encode()) + 10


def _conflicts(cmd: MetadataChange, old: Mapping[str, str]) -> None:
    """kubectl's refusal to change a value without ``--overwrite``."""
    if cmd.overwrite:
        return
    clashes = [
        f"'{key}' already has a value ({old[key]})"
        for key, value in cmd.changes
        if key in old
        and old[key] != value
        and not (cmd.field is MetadataField.ANNOTATIONS and key == _CHANGE_CAUSE)
    ]
    if not clashes:
        return
    if cmd.field is MetadataField.ANNOTATIONS:
        found = "; ".join(clashes)
        raise Conflict(
            f"--overwrite is false but found the following declared annotation(s): {found}"
        )
    if len(clashes) == 1:
        raise Conflict(f"{clashes[0]}, and --overwrite is false")
    raise Conflict("[" + ", ".join(f"{c}, and --overwrite is false" for c in clashes) + "]")


def change_metadata(cmd: MetadataChange, call: Call) -> Change:
    """Label or annotate one object and return kubectl's line (and its ``not found`` notes)."""
    info = call.discovery.resolve(cmd.resource)
    namespace = namespace_of(cmd) if info.namespaced else None
    target = Target(info.qualified, cmd.name, namespace)
    url = info.path(namespace, cmd.name)
    obj = call.api.get(url, target=target)
    metadata = kube.mapping(obj, "metadata")
    old = kube.string_map(obj, "metadata", str(cmd.field)) if str(cmd.field) in metadata else None
    current = dict(old or {})
    _conflicts(cmd, current)
    notes: tuple[str, ...] = ()
    if cmd.field is MetadataField.LABELS:
        notes = tuple(f'label "{key}" not found.' for key in cmd.removals if key not in current)
    new = {**current, **dict(cmd.changes)}
    for key in cmd.removals:
        new.pop(key, None)
    diff: dict[str, str | None] = {k: v for k, v in new.items() if current.get(k) != v}
    diff.update({key: None for key in current if key not in new})
    body: dict[str, object] = {}
    if diff or old is None:
        body = {"metadata": {str(cmd.field): diff}}
    manager = "kubectl-label" if cmd.field is MetadataField.LABELS else "kubectl-annotate"
    call.api.json(
        "PATCH",
        url,
        query=[("fieldManager", manager)],
        body=body,
        content_type=MERGE_PATCH,
        target=target,
    )
    return Change(f"{info.kind_ref}/{cmd.name} {_outcome(cmd, old, new)}", notes=notes)


def _outcome(cmd: MetadataChange, old: Mapping[str, str] | None, new: Mapping[str, str]) -> str:
    if cmd.field is MetadataField.ANNOTATIONS:
        return "annotated"
    if old is not None and dict(old) == dict(new):
        return "not labeled"
    if not cmd.overwrite and _encoded_length(new) < _encoded_length(old):
        return "unlabeled"
    return "labeled"


METADATA_PATCH: Final = tuple(
    Access("patch", resource, group)
    for resource, group in (("pods", ""), ("services", ""), ("deployments", "apps"), ("nodes", ""))
)
"""The types people label most; another type needs its own ``patch`` rule."""
LABEL: Final = Handler("label", MetadataChange, change_metadata, access=METADATA_PATCH)
ANNOTATE: Final = Handler("annotate", MetadataChange, change_metadata, access=METADATA_PATCH)
