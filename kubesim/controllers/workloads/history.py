"""ControllerRevisions: how StatefulSets and DaemonSets remember their pod templates.

Each distinct template is one ``apps/v1`` ControllerRevision named ``<owner>-<hash>`` whose
``data`` is the strategic merge patch that restores it (``{"spec":{"template":{...,"$patch":
"replace"}}}``, upstream's ``getPatch``) and whose ``revision`` orders the history; going back to
an older template renumbers its revision as the newest (``kubectl rollout undo``). The hash is
FNV-1 32 of the data plus the collision count, encoded like every controller hash.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence

from kubesim.api.resources import by_kind
from kubesim.controllers.podtemplate import safe_encode
from kubesim.machinery.informer import Cache, uid_of
from kubesim.storage.storeport import Obj, StorePort

REVISION_HASH_LABEL = "controller-revision-hash"
_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
REVISIONS = by_kind("ControllerRevision")


def fnv32(data: bytes) -> int:
    """FNV-1, 32 bit (``hash/fnv.New32``: multiply, then xor)."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value * _FNV_PRIME) & 0xFFFFFFFF) ^ byte
    return value


def patch_of(owner: Obj) -> Obj:
    """``getPatch``: the owner's pod template as a replacing strategic merge patch.

    Upstream marshals it from a map, so its keys are sorted, and kubectl compares those bytes
    with its own rendering of the current template to skip a rollback to the same template:
    the keys are sorted here too (the server writes compact JSON in insertion order)."""
    template = copy.deepcopy(owner.get("spec", {}).get("template", {}))
    template["$patch"] = "replace"
    patch = json.loads(json.dumps({"spec": {"template": template}}, sort_keys=True))
    return patch if isinstance(patch, dict) else {}


def revision_hash(data: Obj, collision_count: int = 0) -> str:
    """``HashControllerRevision`` with the owner's collision count as the probe."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return safe_encode(str(fnv32(raw + str(collision_count).encode())))


def template_of(revision: Obj) -> Obj:
    """The pod template a revision restores (without the ``$patch`` directive)."""
    template = dict((revision.get("data") or {}).get("spec", {}).get("template") or {})
    template.pop("$patch", None)
    return template


def number(revision: Obj) -> int:
    """``revision``: the revision's place in the history."""
    return int(revision.get("revision") or 0)


class History:
    """Reads and writes one owner's ControllerRevisions through the shared cache."""

    def __init__(self, store: StorePort, cache: Cache) -> None:
        self._store = store
        self._cache = cache

    def of(self, owner: Obj) -> list[Obj]:
        """The owner's revisions, oldest first."""
        return sorted(self._cache.controlled(uid_of(owner), "ControllerRevision"), key=number)

    def current(self, owner: Obj, *, labels: dict[str, str]) -> tuple[Obj, list[Obj]]:
        """The revision of the owner's template, created (or renumbered to be the newest) when
        needed, and the whole history after that."""
        revisions = self.of(owner)
        data = patch_of(owner)
        newest = max((number(r) for r in revisions), default=0)
        for revision in revisions:
            if revision.get("data") == data:
                if number(revision) == newest:
                    return revision, revisions
                return self._renumber(revision, newest + 1), self.of(owner)
        meta = owner["metadata"]
        name = f"{meta['name']}-{revision_hash(data)}"
        created = self._store.create(
            REVISIONS,
            {
                "metadata": {
                    "name": name,
                    "namespace": meta["namespace"],
                    "labels": dict(labels),
                    "annotations": dict(meta.get("annotations") or {}),
                    "ownerReferences": [controller_ref(owner)],
                },
                "data": data,
                "revision": newest + 1,
            },
        )
        self._cache.apply("ADDED", "ControllerRevision", created)
        return created, self.of(owner)

    def _renumber(self, revision: Obj, value: int) -> Obj:
        meta = revision["metadata"]

        def bump(obj: Obj) -> None:
            obj["revision"] = value

        written = self._store.mutate(REVISIONS, meta["namespace"], meta["name"], bump)
        self._cache.apply("MODIFIED", "ControllerRevision", written)
        return written

    def truncate(self, owner: Obj, revisions: Sequence[Obj], keep: set[str]) -> None:
        """Delete the oldest revisions beyond ``revisionHistoryLimit`` that no pod uses."""
        limit = int(owner.get("spec", {}).get("revisionHistoryLimit", 10) or 0)
        unused = [r for r in revisions if r["metadata"]["name"] not in keep]
        for revision in unused[: max(len(unused) - limit, 0)]:
            meta = revision["metadata"]
            gone = self._store.delete(REVISIONS, meta["namespace"], meta["name"])
            self._cache.forget("ControllerRevision", gone)


def controller_ref(owner: Obj) -> Obj:
    """The ownerReference a controller puts on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
