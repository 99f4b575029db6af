"""Resolve a typed resource name (``po``, ``Deployment``, ``deployments.apps``, a CRD plural)
to the API resource the server serves, as kubectl's RESTMapper and short-name expander do.

Discovery asks for the aggregated document (``/api`` and ``/apis`` as
``APIGroupDiscoveryList``, two requests, like kubectl 1.32) and falls back to the legacy
per-group documents. Results are cached for a while and re-read once when a name is unknown, so
a CRD installed after start-up is found without a restart.

Concurrent callers share one load (no lock is held while it runs, so a hung API server holds
up only the callers that need discovery, all released together by the request timeout), and a
failed load is remembered for a few seconds so that a burst of commands fails at once instead
of one request timeout after another.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bot.core import kube
from bot.core.kube import Obj
from bot.errors import NotFound
from bot.gateway.api import JSON, Api, resource_path

_AGGREGATED: Final = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList," + JSON
)
_VERSION = re.compile(r"v\d+(?:(?:alpha|beta)\d+)?")


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """One served resource, as discovery describes it."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    """Discovery's ``categories`` (``all``), which kubectl expands to their resources."""

    @property
    def qualified(self) -> str:
        """``pods`` or ``deployments.apps``: how kubectl names the type in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        """``v1`` or ``apps/v1``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def kind_ref(self) -> str:
        """``deployment.apps`` (kubectl's ``-o name`` and change lines use the singular kind)."""
        lower = self.kind.lower()
        return f"{lower}.{self.group}" if self.group else lower

    def path(self, namespace: str | None, *rest: str) -> str:
        """The collection (or, with a name in ``rest``, object) URL path."""
        return resource_path(
            self.group, self.version, self.plural, namespace if self.namespaced else None, *rest
        )

    def names(self) -> set[str]:
        """Every lower-case name that refers to this resource."""
        return {
            self.plural,
            self.singular or self.kind.lower(),
            self.kind.lower(),
            *self.short_names,
        }


def well_known(
    group: str, version: str, plural: str, kind: str, *, namespaced: bool
) -> ResourceInfo:
    """A built-in type the gateway addresses directly, without asking discovery."""
    return ResourceInfo(group, version, plural, kind.lower(), kind, namespaced)


PODS: Final = well_known("", "v1", "pods", "Pod", namespaced=True)
SERVICES: Final = well_known("", "v1", "services", "Service", namespaced=True)
NODES: Final = well_known("", "v1", "nodes", "Node", namespaced=False)
EVENTS: Final = well_known("", "v1", "events", "Event", namespaced=True)
ENDPOINTS: Final = well_known("", "v1", "endpoints", "Endpoints", namespaced=True)
DEPLOYMENTS: Final = well_known("apps", "v1", "deployments", "Deployment", namespaced=True)
REPLICASETS: Final = well_known("apps", "v1", "replicasets", "ReplicaSet", namespaced=True)
STATEFULSETS: Final = well_known("apps", "v1", "statefulsets", "StatefulSet", namespaced=True)
DAEMONSETS: Final = well_known("apps", "v1", "daemonsets", "DaemonSet", namespaced=True)
CONTROLLER_REVISIONS: Final = well_known(
    "apps", "v1", "controllerrevisions", "ControllerRevision", namespaced=True
)
JOBS: Final = well_known("batch", "v1", "jobs", "Job", namespaced=True)
CRONJOBS: Final = well_known("batch", "v1", "cronjobs", "CronJob", namespaced=True)
LEASES: Final = well_known("coordination.k8s.io", "v1", "leases", "Lease", namespaced=True)


def _from_aggregated(document: Obj) -> list[ResourceInfo]:
    found: list[ResourceInfo] = []
    for group in kube.items(document, "items"):
        name = kube.text(group, "metadata", "name")
        for version in kube.items(group, "versions")[:1]:  # the first version is preferred
            for res in kube.items(version, "resources"):
                found.append(
                    ResourceInfo(
                        group=name,
                        version=kube.text(version, "version"),
                        plural=kube.text(res, "resource"),
                        singular=kube.text(res, "singularResource"),
                        kind=kube.text(res, "responseKind", "kind"),
                        namespaced=kube.text(res, "scope") == "Namespaced",
                        short_names=tuple(kube.strings(res, "shortNames")),
                        categories=tuple(kube.strings(res, "categories")),
                    )
                )
    return found


def _from_resource_list(group: str, version: str, document: Obj) -> list[ResourceInfo]:
    return [
        ResourceInfo(
            group=group,
            version=version,
            plural=kube.text(res, "name"),
            singular=kube.text(res, "singularName"),
            kind=kube.text(res, "kind"),
            namespaced=kube.flag(res, "namespaced"),
            short_names=tuple(kube.strings(res, "shortNames")),
            categories=tuple(kube.strings(res, "categories")),
        )
        for res in kube.items(document, "resources")
        if "/" not in kube.text(res, "name")
    ]


class _Load:
    """One discovery load in flight, which later callers wait for instead of starting another."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.resources: list[ResourceInfo] = []
        self.error: Exception | None = None


class Discovery:
    """Cached discovery plus kubectl's name resolution; safe to share between threads."""

    def __init__(
        self,
        api: Api,
        *,
        ttl: float = 600.0,
        failure_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._lock = threading.Lock()
        """Guards the fields below; never held across a network call."""
        self._resources: list[ResourceInfo] | None = None
        self._fetched = 0.0
        self._failure: tuple[Exception, float] | None = None
        self._loading: _Load | None = None

    def _load(self) -> list[ResourceInfo]:
        core = self._api.get("/api", accept=_AGGREGATED)
        groups = self._api.get("/apis", accept=_AGGREGATED)
        if (
            core.get("kind") == "APIGroupDiscoveryList"
            and groups.get("kind") == "APIGroupDiscoveryList"
        ):
            return _from_aggregated(core) + _from_aggregated(groups)
        found: list[ResourceInfo] = []
        for version in kube.strings(core, "versions")[:1]:
            found += _from_resource_list("", version, self._api.get(f"/api/{version}"))
        for group in kube.items(groups, "groups"):
            name = kube.text(group, "name")
            version = kube.text(group, "preferredVersion", "version")
            if name and version:
                found += _from_resource_list(
                    name, version, self._api.get(f"/apis/{name}/{version}")
                )
        return found

    def resources(self, *, refresh: bool = False) -> list[ResourceInfo]:
        """Every served resource, core group first, in discovery order.

        Raises the load's error (usually a ``ClusterError``; a copy of it while the failure is
        remembered, so that no two threads raise one exception object).
        """
        with self._lock:
            now = self._clock()
            fresh = self._resources is not None and now - self._fetched <= self._ttl
            if fresh and not refresh and self._resources is not None:
                return self._resources
            if self._failure is not None and now - self._failure[1] < self._failure_ttl:
                raise copy.copy(self._failure[0])
            load, leader = self._loading, self._loading is None
            if load is None:
                load = self._loading = _Load()
        if not leader:
            load.done.wait()
            if load.error is not None:
                raise copy.copy(load.error)
            return load.resources
        try:
            load.resources = self._load()
        except Exception as error:  # remembered for the waiters and re-raised, whatever it is
            load.error = error
            with self._lock:
                self._failure, self._loading = (error, self._clock()), None
            raise
        finally:
            load.done.set()
        with self._lock:
            self._resources, self._fetched = load.resources, self._clock()
            self._failure, self._loading = None, None
        return load.resources

    def expand(self, typed: str) -> list[ResourceInfo]:
        """The resources ``typed`` names: a category's (``all``), in discovery order, as
        kubectl's category expander lists them (before any resource name), else one."""
        word = typed.strip().lower()
        members = [info for info in self.resources() if word in info.categories]
        return members or [self.resolve(typed)]

    def resolve(self, typed: str) -> ResourceInfo:
        """The resource ``typed`` names; ``NotFound`` with kubectl's message when none does."""
        found = _match(self.resources(), typed)
        if found is None:
            found = _match(self.resources(refresh=True), typed)
        if found is None:
            raise NotFound(f'the server doesn\'t have a resource type "{typed}"')
        return found


def _match(resources: list[ResourceInfo], typed: str) -> ResourceInfo | None:
    text = typed.strip().lower()
    name, _, rest = text.partition(".")
    candidates: list[tuple[str | None, str | None]] = [(None, None)] if not rest else []
    if rest:
        version, _, group = rest.partition(".")
        if group and _VERSION.fullmatch(version):
            candidates.append((group, version))  # resource.version.group
        candidates.append((rest, None))  # resource.group
    for want_group, want_version in candidates:
        for info in resources:
            if want_group is not None and info.group != want_group:
                continue
            if want_version is not None and info.version != want_version:
                continue
            if name in info.names():
                return info
    return None
