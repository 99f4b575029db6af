"""A scenario's Running pods, placed round-robin on its nodes with the status their kubelets
would have reported; seeded, so every run writes the same names, IPs and container IDs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from kubesim.api.resources import by_kind
from kubesim.controllers.podtemplate import ALPHANUMS
from kubesim.controllers.workloads.history import controller_ref
from kubesim.kubelet.images import image_id
from kubesim.kubelet.kubelet import node_ip
from kubesim.kubelet.pod_status import ContainerRun, PodRun, render
from kubesim.machinery.clock import rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.storage.jsoncopy import clone
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

POD = by_kind("Pod")


class PodWriter:
    """Writes Running, Ready pods straight into a Store, at the scenario's instant ``now``."""

    def __init__(self, store: Store, *, now: datetime, nodes: list[Obj], seed: int = 7) -> None:
        self._store = store
        self._now = now
        self._nodes = nodes
        self._rng = random.Random(seed)
        self._workers = [n for n in nodes if not n["spec"].get("taints")] or nodes
        self._next_node = 0
        self._ips: dict[str, int] = {}

    @property
    def now(self) -> datetime:
        """The instant the scenario is written at."""
        return self._now

    def suffix(self) -> str:
        """A generateName-style random suffix (seeded, so scenarios are reproducible)."""
        return "".join(self._rng.choice(ALPHANUMS) for _ in range(5))

    def pods(self, rs: Obj, born: datetime, count: int) -> list[Obj]:
        """``count`` Running, Ready pods of ``rs``, spread round-robin over the usable nodes.

        Each manifest is built fresh (no sub-object shared with another pod or the template), so
        the store adopts it without copying; the returned pods are the stored ones: read-only.
        """
        meta, template = rs["metadata"], rs["spec"]["template"]
        tolerant = any(
            t.get("key") == "node-role.kubernetes.io/control-plane"
            for t in template["spec"].get("tolerations") or ()
        )
        usable = self._nodes if tolerant else self._workers
        owner = [controller_ref(rs)]
        labels = template["metadata"].get("labels", {})
        stamps = (rfc3339(born), rfc3339(born + timedelta(seconds=3)))
        created: list[Obj] = []
        with backdated(self._store, born):
            for _ in range(count):
                node = usable[self._next_node % len(usable)]
                self._next_node += 1
                suffix = self.suffix()
                spec = clone(template["spec"])
                spec["nodeName"] = node["metadata"]["name"]
                manifest = {
                    "metadata": {
                        "name": f"{meta['name']}-{suffix}",
                        "generateName": f"{meta['name']}-",
                        "namespace": meta["namespace"],
                        "labels": dict(labels),
                        "ownerReferences": clone(owner),
                    },
                    "spec": spec,
                    "status": self.running_status(spec, node, stamps),
                }
                created.append(self._store.create(POD, manifest, adopt=True))
        return created

    def running_status(self, spec: Obj, node: Obj, stamps: tuple[str, str]) -> Obj:
        """What a kubelet reports for a pod created at stamps[0] and started at stamps[1]."""
        born, started = stamps
        name = node["metadata"]["name"]
        self._ips[name] = self._ips.get(name, 1) % 253 + 1
        cidr_base = str(node["spec"].get("podCIDR", "10.244.1.0/24")).rsplit(".", 1)[0]
        pod_ip = f"{cidr_base}.{self._ips[name]}"
        if spec.get("hostNetwork"):
            pod_ip = node_ip(node)
        run = PodRun(
            uid="",
            namespace="",
            name="",
            node=name,
            host_ip=node_ip(node),
            start_time=born,
            init=[],
            main=[],
            pod_ip=pod_ip,
            sandbox_ready=True,
        )
        for c in spec.get("containers") or ():
            run.main.append(
                ContainerRun(
                    name=c["name"],
                    image=c["image"],
                    init=False,
                    state="running",
                    reason="",
                    started_at=started,
                    container_id=f"containerd://{self._rng.getrandbits(256):064x}",
                    image_id=image_id(c["image"]),
                    ready=True,
                    created=True,
                )
            )
            run.volume_mounts[c["name"]] = []
        return render(run, scheduled_status(born), started)


def scheduled_status(at: str) -> Obj:
    """A pod's status as the scheduler leaves it: PodScheduled since ``at`` (RFC 3339), what a
    kubelet's report starts from."""
    condition = {"type": "PodScheduled", "status": "True", "lastProbeTime": None}
    return {"conditions": [{**condition, "lastTransitionTime": at}]}
