"""The sandbox's object store: etcd plus the generic registry's write rules, on one loop.

The objects, their resourceVersion and the change feed are ``etcd.Etcd``'s; this adds what the
registry does on create, update and delete: defaulting, admission, validation, generated fields.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from kubesim.admission import limit_ranger, quota_admission, resource_usage
from kubesim.admission.defaults import apply_defaults, preserve_allocations
from kubesim.admission.validation import validate
from kubesim.admission.workload_defaults import job_selector
from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.storage.cluster_ips import ClusterIPs
from kubesim.storage.etcd import Etcd
from kubesim.storage.jsoncopy import clone, copied
from kubesim.storage.preconditions import check_preconditions

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


class Store(Etcd):
    """Every object of the sandbox cluster, written with the apiserver's rules."""

    def __init__(self, *, clock: Clock, history: int = 10_000) -> None:
        super().__init__(history=history)
        self.clock = clock
        self._ips = ClusterIPs()

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
        check_preconditions(rt, existing, preconditions)
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
