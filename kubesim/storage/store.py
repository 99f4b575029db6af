"""The sandbox's object store: etcd plus the generic registry's write rules, on one loop.

Objects are plain JSON dicts, replaced (never mutated) on every write, so readers on the same loop
may hold the stored dicts while they serialise them. Every committed write bumps one cluster-wide
resourceVersion and is published to the store's ``changes.ChangeFeed``: a bounded history (for
watch resume and 410 Gone), the server's watch taps (synchronously) and the subscribers
(controllers, via ``loop.call_soon``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from kubesim.admission import limit_ranger, quota_admission, resource_usage
from kubesim.admission.defaults import apply_defaults, job_selector, preserve_allocations
from kubesim.admission.validation import validate
from kubesim.api import status
from kubesim.api.resources import REGISTRY, ResourceType, by_kind
from kubesim.selectors.fields import FieldSelector, parse_fields
from kubesim.selectors.labels import LabelSelector, parse_labels
from kubesim.storage.changes import Change, ChangeFeed, Changes, Subscriber
from kubesim.storage.cluster_ips import ClusterIPs
from kubesim.storage.jsoncopy import clone, copied

Obj = dict[str, Any]

_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's names.SimpleNameGenerator alphabet
_PROTECTED_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
_LIMIT_RANGE = by_kind("LimitRange")
_QUOTA = by_kind("ResourceQuota")
_IMMUTABLE_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")


class Clock(Protocol):
    """What the store needs of ``kubesim.machinery.clock.Clock``."""

    def now(self) -> datetime: ...


def rfc3339(moment: datetime) -> str:
    """``2026-11-29T15:43:04Z``: the second-precision form the apiserver writes."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Every object of the sandbox cluster, indexed per type, namespace and name."""

    def __init__(self, *, clock: Clock, history: int = 10_000) -> None:
        self.clock = clock
        self._rv = 0
        self._data: dict[str, dict[str, dict[str, Obj]]] = {rt.key: {} for rt in REGISTRY}
        self._types = {rt.key: rt for rt in REGISTRY}
        """Every type ever written, custom resources included (namespace deletion empties all)."""
        self._feed = ChangeFeed(history=history)
        self._ips = ClusterIPs()

    # --- reads -----------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The RV of the last committed write."""
        return self._rv

    def find(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        """A copy of the object, or None."""
        found = self._data.get(rt.key, {}).get(namespace or "", {}).get(name)
        return copied(found) if found is not None else None

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        """A copy of the object; 404 ``ApiError`` when missing."""
        found = self.find(rt, namespace, name)
        if found is None:
            raise status.not_found(rt.plural, rt.group, name)
        return found

    def peek(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        """The stored object itself (read-only!), for the server's serialisation fast path."""
        return self._data.get(rt.key, {}).get(namespace or "", {}).get(name)

    def scan(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        after: tuple[str, str] | None = None,
    ) -> Iterator[Obj]:
        """Stored objects (read-only!) sorted by namespace/name, optionally after a key."""
        table = self._data.get(rt.key, {})
        pinned = fields.exact("metadata.name") if fields else None
        namespaces = [namespace or ""] if namespace is not None else sorted(table)
        for ns in namespaces:
            if after is not None and ns < after[0]:
                continue
            bucket = table.get(ns)
            if not bucket:
                continue
            names = [pinned] if pinned is not None else sorted(bucket)
            for name in names:
                if after is not None and (ns, name) <= after:
                    continue
                obj = bucket.get(name)
                if obj is None:
                    continue
                if labels is not None and not labels.matches(obj["metadata"].get("labels")):
                    continue
                if fields is not None and not fields.matches(obj):
                    continue
                yield obj

    def list(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[Obj]:
        """Copies of the matching objects, sorted by namespace/name."""
        labels = parse_labels(label_selector) if label_selector else None
        fields = parse_fields(field_selector, rt) if field_selector else None
        return [clone(o) for o in self.scan(rt, namespace, labels=labels, fields=fields)]

    def count(self, rt: ResourceType) -> int:
        """How many objects of a type are stored."""
        return sum(len(b) for b in self._data.get(rt.key, {}).values())

    # --- change feeds (kept in changes.ChangeFeed) --------------------------------------------

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(type, rt, obj_copy)`` after every committed write (via ``call_soon``)."""
        return self._feed.subscribe(fn)

    def tap(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """Server-only: ``fn(change)`` synchronously inside each commit (it must only enqueue)."""
        return self._feed.tap(fn)

    @property
    def oldest_resource_version(self) -> int:
        """Changes after this RV are all still in the history."""
        return self._feed.oldest_resource_version

    def changes_since(self, rv: int) -> Changes:
        """Committed changes with RV > ``rv``; 410 Expired when some were already dropped."""
        return self._feed.changes_since(rv)

    # --- writes ------------------------------------------------------------------------------

    def create(
        self, rt: ResourceType, obj: Obj, *, dry_run: bool = False, adopt: bool = False
    ) -> Obj:
        """POST semantics: defaults, validation, generated fields; 404/409/422 ``ApiError``.

        ``adopt=True`` is for bulk loaders: the store keeps ``obj`` itself (the caller must not
        touch it again) and returns the stored object, read-only, saving two deep copies.
        """
        new = obj if adopt else copied(obj)
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        meta = new.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be an object")
        namespace = self._namespace_of(rt, meta)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self._generate_name(rt, namespace, str(meta["generateName"]))
        for key in (*_IMMUTABLE_META, "resourceVersion", "generation", "managedFields"):
            meta.pop(key, None)
        ranges = self._limit_ranges(rt, namespace)
        self._default_and_validate(rt, new, old=None, ranges=ranges)
        name = str(meta.get("name") or "")
        if not name:
            raise status.invalid(
                rt.kind,
                rt.group,
                "",
                [
                    status.Cause(
                        "metadata.name",
                        "Required value: name or generateName is required",
                        "FieldValueRequired",
                    )
                ],
            )
        if namespace and self.peek(by_kind("Namespace"), None, namespace) is None:
            raise status.not_found("namespaces", "", namespace)
        if self.peek(rt, namespace, name) is not None:
            raise status.already_exists(rt.plural, rt.group, name)
        if ranges:
            limit_ranger.check_pod(new, ranges)
        charged = (
            quota_admission.charge(self._quotas(namespace), rt, new, recount=self._recount)
            if namespace
            else []
        )
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = rfc3339(self.clock.now())
        if rt.has_generation:
            meta["generation"] = 1
        if rt.kind == "Job":
            job_selector(new)
        if rt.kind == "Service":
            self._ips.note(new)
        if dry_run:
            return new
        for quota_name, used in charged:
            self._charge(namespace, quota_name, used)
        stored = self._commit("ADDED", rt, new, None)
        return stored if adopt else copied(stored)

    def replace(
        self,
        rt: ResourceType,
        obj: Obj,
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        check: bool = True,
    ) -> Obj:
        """PUT semantics; 409 Conflict on a stale ``metadata.resourceVersion``.

        An update that changes nothing is not written (no RV bump, no event), as etcd3 skips it.
        """
        meta = obj.get("metadata") or {}
        namespace = (meta.get("namespace") or "") if rt.namespaced else ""
        name = str(meta.get("name") or "")
        existing = self.peek(rt, namespace, name)
        if existing is None:
            raise status.not_found(rt.plural, rt.group, name)
        old_meta = existing["metadata"]
        rv = meta.get("resourceVersion")
        if rv and str(rv) != old_meta["resourceVersion"]:
            raise status.conflict(rt.plural, rt.group, name)
        uid = meta.get("uid")
        if uid and uid != old_meta["uid"]:
            raise status.ApiError(
                409,
                "Conflict",
                f"Precondition failed: UID in precondition: {uid}, "
                f"UID in object meta: {old_meta['uid']}",
                details={"name": name, "group": rt.group, "kind": rt.plural},
            )
        if subresource == "status":
            new = copied(existing)
            if "status" in obj:
                new["status"] = clone(obj["status"])
            else:
                new.pop("status", None)
            if rt.annotations_are_spec:  # deploymentStatusStrategy resets only spec and labels
                if meta.get("annotations"):
                    new["metadata"]["annotations"] = clone(meta["annotations"])
                else:
                    new["metadata"].pop("annotations", None)
        else:
            new = copied(obj)
            new["apiVersion"], new["kind"] = rt.api_version, rt.kind
            new_meta = new.setdefault("metadata", {})
            for key in _IMMUTABLE_META:
                if key in old_meta:
                    new_meta[key] = old_meta[key]
                else:
                    new_meta.pop(key, None)
            if rt.namespaced:
                new_meta["namespace"] = namespace
            else:
                new_meta.pop("namespace", None)
            if rt.has_status_subresource():
                if "status" in existing:
                    new["status"] = clone(existing["status"])
                else:
                    new.pop("status", None)
        new_meta = new["metadata"]
        new_meta.pop("managedFields", None)
        new_meta["resourceVersion"] = old_meta["resourceVersion"]
        if rt.has_generation:
            new_meta["generation"] = old_meta.get("generation", 1)
        preserve_allocations(rt.kind, new, existing)
        if check:
            self._default_and_validate(rt, new, old=existing)
        else:
            apply_defaults(rt.kind, new, allocate_cluster_ip=self._ips.allocate)
        if new == existing:
            return copied(existing)
        if rt.has_generation and (
            new.get("spec") != existing.get("spec")
            or (
                rt.annotations_are_spec
                and subresource != "status"
                and new_meta.get("annotations") != old_meta.get("annotations")
            )
        ):
            new_meta["generation"] = int(old_meta.get("generation", 1)) + 1
        if rt.kind == "Service":
            self._ips.note(new)
        if dry_run:
            return new
        return copied(self._commit("MODIFIED", rt, new, existing))

    def mutate(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        fn: Callable[[Obj], None],
        *,
        subresource: str | None = None,
    ) -> Obj:
        """Controllers' read-modify-write: no RV check, no validation, no write when unchanged."""
        current = self.get(rt, namespace, name)
        changed = copied(current)
        fn(changed)
        if changed == current:
            return current
        changed.setdefault("metadata", {}).pop("resourceVersion", None)
        changed["metadata"]["name"] = name
        if rt.namespaced:
            changed["metadata"]["namespace"] = namespace
        return self.replace(rt, changed, subresource=subresource, check=False)

    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation: str = "Background",
        dry_run: bool = False,
        preconditions: dict[str, Any] | None = None,
    ) -> Obj:
        """DELETE semantics; returns the deleted object (pods: with ``deletionTimestamp``)."""
        ns = (namespace or "") if rt.namespaced else ""
        existing = self.peek(rt, ns, name)
        if existing is None:
            raise status.not_found(rt.plural, rt.group, name)
        self._check_preconditions(rt, existing, preconditions)
        if rt.kind == "Namespace" and name in _PROTECTED_NAMESPACES:
            raise status.ApiError(
                403,
                "Forbidden",
                f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                details={"name": name, "kind": "namespaces"},
            )
        if rt.kind == "Pod":
            graceful = self._graceful_pod_delete(existing, grace_period_seconds, dry_run=dry_run)
            if graceful is not None:
                return graceful
        if dry_run:
            return copied(existing)
        if propagation == "Orphan":
            self._orphan_dependents(existing)
        if rt.kind == "Namespace":
            self._empty_namespace(name)
        gone = self._remove(rt, existing)
        if rt.kind == "Namespace":
            gone = copied(gone)
            gone["metadata"].setdefault("deletionTimestamp", rfc3339(self.clock.now()))
            gone.setdefault("status", {})["phase"] = "Terminating"
        return copied(gone)

    # --- internals ---------------------------------------------------------------------------

    def _namespace_of(self, rt: ResourceType, meta: Obj) -> str:
        if not rt.namespaced:
            meta.pop("namespace", None)
            return ""
        namespace = meta.get("namespace")
        if not namespace:
            raise status.bad_request("the namespace of the provided object does not match")
        return str(namespace)

    def _generate_name(self, rt: ResourceType, namespace: str, prefix: str) -> str:
        base = prefix[: 63 - 5]
        while True:
            name = base + "".join(secrets.choice(_NAME_CHARS) for _ in range(5))
            if self.peek(rt, namespace, name) is None:
                return name

    def _limit_ranges(self, rt: ResourceType, namespace: str) -> tuple[Obj, ...]:
        """The namespace's LimitRanges when ``rt`` is a pod (LimitRanger admits pods)."""
        if rt.kind != "Pod" or not namespace:
            return ()
        return tuple(self.scan(_LIMIT_RANGE, namespace))

    def _quotas(self, namespace: str) -> tuple[Obj, ...]:
        return tuple(self.scan(_QUOTA, namespace))

    def _recount(self, quota: Obj) -> dict[str, str]:
        namespace = str(quota["metadata"].get("namespace", ""))
        return resource_usage.namespace_usage(quota, lambda rt: self.scan(rt, namespace))

    def _charge(self, namespace: str, name: str, used: dict[str, str]) -> None:
        """ResourceQuota admission's own ``status.used`` update, before the object is stored."""

        def put(quota: Obj) -> None:
            hard = (quota.get("spec") or {}).get("hard") or {}
            quota["status"] = {"hard": dict(hard), **(quota.get("status") or {}), "used": used}

        self.mutate(_QUOTA, namespace, name, put, subresource="status")

    def _default_and_validate(
        self, rt: ResourceType, obj: Obj, *, old: Obj | None, ranges: Sequence[Obj] = ()
    ) -> None:
        apply_defaults(rt.kind, obj, allocate_cluster_ip=self._ips.allocate)
        if ranges:  # LimitRanger mutates after defaulting, before validation
            limit_ranger.default_pod(obj, ranges)
        causes = validate(rt.kind, obj, old=old)
        if causes:
            name = str(obj.get("metadata", {}).get("name") or "")
            raise status.invalid(rt.kind, rt.group, name, causes)

    def _check_preconditions(
        self, rt: ResourceType, existing: Obj, preconditions: dict[str, Any] | None
    ) -> None:
        if not preconditions:
            return
        meta, name = existing["metadata"], existing["metadata"]["name"]
        uid, rv = preconditions.get("uid"), preconditions.get("resourceVersion")
        details = {"name": name, "group": rt.group, "kind": rt.plural}
        if uid and uid != meta["uid"]:
            raise status.ApiError(
                409,
                "Conflict",
                f"Precondition failed: UID in precondition: {uid}, "
                f"UID in object meta: {meta['uid']}",
                details=details,
            )
        if rv and str(rv) != meta["resourceVersion"]:
            raise status.ApiError(
                409,
                "Conflict",
                "Precondition failed: ResourceVersion in precondition: "
                f"{rv}, ResourceVersion in object meta: {meta['resourceVersion']}",
                details=details,
            )

    def _graceful_pod_delete(self, pod: Obj, grace: int | None, *, dry_run: bool) -> Obj | None:
        spec, meta = pod.get("spec") or {}, pod["metadata"]
        if grace is None:
            grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = int(spec.get("terminationGracePeriodSeconds", 30))
        terminal = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
        if grace <= 0 or not spec.get("nodeName") or terminal:
            return None  # removed at once
        current = meta.get("deletionGracePeriodSeconds")
        if current is not None and grace >= int(current):
            return copied(pod)
        marked = copied(pod)
        deadline = self.clock.now() + timedelta(seconds=grace)
        marked["metadata"]["deletionTimestamp"] = rfc3339(deadline)
        marked["metadata"]["deletionGracePeriodSeconds"] = grace
        if dry_run:
            return marked
        return copied(self._commit("MODIFIED", by_kind("Pod"), marked, pod))

    def _orphan_dependents(self, owner: Obj) -> None:
        uid = owner["metadata"]["uid"]
        for rt in list(self._types.values()):
            for obj in list(self.scan(rt)):
                refs = obj["metadata"].get("ownerReferences") or []
                if any(r.get("uid") == uid for r in refs):
                    freed = copied(obj)
                    kept = [r for r in refs if r.get("uid") != uid]
                    if kept:
                        freed["metadata"]["ownerReferences"] = kept
                    else:
                        del freed["metadata"]["ownerReferences"]
                    self._commit("MODIFIED", rt, freed, obj)

    def _empty_namespace(self, namespace: str) -> None:
        for rt in list(self._types.values()):
            if rt.namespaced:
                for obj in list(self._data[rt.key].get(namespace, {}).values()):
                    self._remove(rt, obj)

    def _remove(self, rt: ResourceType, obj: Obj) -> Obj:
        gone = dict(obj)
        gone["metadata"] = dict(obj["metadata"])
        return self._commit("DELETED", rt, gone, None)

    def _commit(self, kind: str, rt: ResourceType, obj: Obj, old: Obj | None) -> Obj:
        self._rv += 1
        meta = obj["metadata"]
        meta["resourceVersion"] = str(self._rv)
        namespace, name = meta.get("namespace") or "", meta["name"]
        self._types.setdefault(rt.key, rt)
        table = self._data.setdefault(rt.key, {})
        if kind == "DELETED":
            bucket = table.get(namespace, {})
            bucket.pop(name, None)
            if not bucket:
                table.pop(namespace, None)
        else:
            table.setdefault(namespace, {})[name] = obj
        self._feed.publish(Change(self._rv, kind, rt, obj, old))
        return obj
