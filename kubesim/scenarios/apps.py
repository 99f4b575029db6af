"""A scenario's apps: Deployments with their rollout history, ReplicaSets and Services, settled.

A scenario must not replay days of controller work, so Deployments are written together with
their ReplicaSets and Running pods, computed with the controllers' own code (pod-template-hash,
revision annotations, status rendering). When the controllers start, every object already
matches what they would write, so they adopt the scenario without a single write.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.controllers.deployment import conditions as cond
from kubesim.controllers.deployment import revisions as rev
from kubesim.controllers.deployment.rollout_math import desired, max_surge
from kubesim.controllers.deployment.status import calculate_status
from kubesim.controllers.podtemplate import HASH_LABEL, template_hash
from kubesim.controllers.workloads.history import controller_ref
from kubesim.machinery.clock import parse_rfc3339, rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.scenarios.pods import PodWriter
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

SERVICE, DEPLOYMENT, REPLICASET = by_kind("Service"), by_kind("Deployment"), by_kind("ReplicaSet")
CHANGE_CAUSE = "kubernetes.io/change-cause"


@dataclass(frozen=True, slots=True)
class Revision:
    """One rollout in a Deployment's history."""

    image: str
    age: timedelta
    change_cause: str = ""


@dataclass(frozen=True, slots=True)
class App:
    """A Deployment (with optional Service) to materialise in its settled state."""

    name: str
    namespace: str
    history: tuple[Revision, ...]
    replicas: int = 1
    port: int | None = 80
    container: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    service_type: str = "ClusterIP"
    tolerate_control_plane: bool = False


class Materializer:
    """Writes settled Deployments, ReplicaSets (their pods through ``pods``) and Services
    straight into a Store."""

    def __init__(self, store: Store, pods: PodWriter) -> None:
        self._store = store
        self._pods = pods
        self._now = pods.now

    def app(self, app: App) -> Obj:
        """Write the Deployment, a ReplicaSet per revision and the Running pods."""
        labels = app.labels or {"app": app.name}
        container: Obj = {"name": app.container or app.name, "image": app.history[0].image}
        if app.port is not None:
            container["ports"] = [{"containerPort": app.port, "protocol": "TCP"}]
        pod_spec: Obj = {"containers": [container]}
        if app.tolerate_control_plane:
            pod_spec["tolerations"] = [
                {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
            ]
        first = app.history[0]
        manifest: Obj = {
            "metadata": {"name": app.name, "namespace": app.namespace, "labels": dict(labels)},
            "spec": {
                "replicas": app.replicas,
                "selector": {"matchLabels": dict(labels)},
                "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
            },
        }
        if first.change_cause:
            manifest["metadata"]["annotations"] = {CHANGE_CAUSE: first.change_cause}
        with backdated(self._store, self._now - first.age):
            d = self._store.create(DEPLOYMENT, manifest)
        rss: list[Obj] = []
        for number, revision in enumerate(app.history, start=1):
            if number > 1:
                d = self._roll(d, revision)
            latest = number == len(app.history)
            rss.append(
                self._replica_set(d, revision, number, replicas=app.replicas if latest else 0)
            )
        self._finish(d, rss)
        if app.port is not None:
            self.service(
                app.name, app.namespace, labels, port=app.port, age=first.age, kind=app.service_type
            )
        return d

    def _roll(self, d: Obj, revision: Revision) -> Obj:
        def update(obj: Obj) -> None:
            obj["spec"]["template"]["spec"]["containers"][0]["image"] = revision.image
            notes = rev.annotations_of(obj)
            if revision.change_cause:
                notes[CHANGE_CAUSE] = revision.change_cause
            else:
                notes.pop(CHANGE_CAUSE, None)

        meta = d["metadata"]
        return self._store.mutate(DEPLOYMENT, meta["namespace"], meta["name"], update)

    def _replica_set(self, d: Obj, revision: Revision, number: int, *, replicas: int) -> Obj:
        meta = d["metadata"]
        template = copy.deepcopy(d["spec"]["template"])
        pod_hash = template_hash(template)
        labels = {**template["metadata"].get("labels", {}), HASH_LABEL: pod_hash}
        template["metadata"]["labels"] = labels
        notes = {
            rev.DESIRED_REPLICAS: str(desired(d)),
            rev.MAX_REPLICAS: str(desired(d) + max_surge(d)),
            rev.REVISION: str(number),
        }
        if revision.change_cause:
            notes[CHANGE_CAUSE] = revision.change_cause
        selector = copy.deepcopy(d["spec"]["selector"])
        selector["matchLabels"][HASH_LABEL] = pod_hash
        born = self._now - revision.age
        with backdated(self._store, born):
            rs = self._store.create(
                REPLICASET,
                {
                    "metadata": {
                        "name": f"{meta['name']}-{pod_hash}",
                        "namespace": meta["namespace"],
                        "labels": dict(labels),
                        "annotations": notes,
                        "ownerReferences": [controller_ref(d)],
                    },
                    "spec": {"replicas": replicas, "selector": selector, "template": template},
                },
            )
        ready = len(self._pods.pods(rs, born + timedelta(seconds=1), replicas))
        status: Obj = {"replicas": ready, "observedGeneration": 1}
        if ready:
            status = {
                "replicas": ready,
                "fullyLabeledReplicas": ready,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": 1,
            }
        return self._set_status(REPLICASET, rs, status)

    def _finish(self, d: Obj, rss: list[Obj]) -> None:
        meta = d["metadata"]
        d = self._store.mutate(  # as the controller does: with the status, no new generation
            DEPLOYMENT,
            meta["namespace"],
            meta["name"],
            lambda obj: rev.annotations_of(obj).__setitem__(rev.REVISION, str(len(rss))),
            subresource="status",
        )
        newest = rss[-1]
        born = rfc3339(
            parse_rfc3339(newest["metadata"]["creationTimestamp"]) + timedelta(seconds=5)
        )
        d["status"] = {
            "conditions": [
                cond.new_condition(
                    cond.PROGRESSING,
                    "True",
                    cond.NEW_RS_AVAILABLE,
                    f'ReplicaSet "{newest["metadata"]["name"]}" has successfully progressed.',
                    born,
                )
            ]
        }
        d["status"]["conditions"][0]["lastTransitionTime"] = meta["creationTimestamp"]
        status = calculate_status(rss, newest, d, born)
        status["observedGeneration"] = d["metadata"].get("generation", 1)
        available = cond.get_condition(status, cond.AVAILABLE)
        if available is not None:
            status["conditions"] = [available, *(c for c in status["conditions"][:-1])]
        self._set_status(DEPLOYMENT, d, status)

    def service(
        self,
        name: str,
        namespace: str,
        selector: dict[str, str],
        *,
        port: int,
        age: timedelta,
        kind: str = "ClusterIP",
    ) -> Obj:
        """A Service in front of pods labelled ``selector``."""
        with backdated(self._store, self._now - age):
            return self._store.create(
                SERVICE,
                {
                    "metadata": {"name": name, "namespace": namespace, "labels": dict(selector)},
                    "spec": {
                        "type": kind,
                        "selector": dict(selector),
                        "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}],
                    },
                },
            )

    def _set_status(self, rt: ResourceType, obj: Obj, status: Obj) -> Obj:
        meta = obj["metadata"]

        def put(target: Obj) -> None:
            target["status"] = status

        return self._store.mutate(
            rt,
            meta.get("namespace"),
            meta["name"],
            put,
            subresource="status",
        )
