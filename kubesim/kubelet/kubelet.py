"""The simulated kubelet of every node: runs scheduled pods and reports their status.

It reacts to pod events only (a pod bound to a node starts, a pod with a deletionTimestamp stops
and is finalized with a grace-0 delete) and otherwise lives on timers, so a quiet cluster costs
nothing. Status writes are coalesced per pod per loop tick. Pods that already look Running when
the kubelet first sees them (scenarios, a restarted sandbox) are adopted as they are.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable, Iterator

from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.kubelet.container_runtime import ContainerRuntime
from kubesim.kubelet.images import KubeletRules
from kubesim.kubelet.pod_status import ContainerRun, PodRun, render
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.informer import Cache, Key, key_of, uid_of
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort


def node_ip(node: Obj | None) -> str:
    """The node's InternalIP (what pods report as hostIP)."""
    for address in (node or {}).get("status", {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address.get("address", ""))
    return ""


class PodNetwork:
    """Hands out pod IPs from each node's ``spec.podCIDR`` (.1 is the node's bridge)."""

    def __init__(self) -> None:
        self._free: dict[str, Iterator[ipaddress.IPv4Address | ipaddress.IPv6Address]] = {}
        self._used: set[str] = set()

    def allocate(self, node: Obj | None) -> str:
        """The next unused address of the node's range."""
        name = (node or {}).get("metadata", {}).get("name", "")
        cidr = (node or {}).get("spec", {}).get("podCIDR") or "10.244.0.0/16"
        for _ in range(2):
            hosts = self._free.get(name)
            if hosts is None:
                hosts = self._free[name] = ipaddress.ip_network(cidr, strict=False).hosts()
                next(hosts, None)
            for ip in hosts:
                if str(ip) not in self._used:
                    self._used.add(str(ip))
                    return str(ip)
            self._free.pop(name, None)  # wrap around and reuse released addresses
        return ""

    def claim(self, ip: str) -> None:
        """An adopted pod already holds ``ip``."""
        if ip:
            self._used.add(ip)

    def release(self, ip: str) -> None:
        """The pod holding ``ip`` is gone."""
        self._used.discard(ip)


class Kubelet:
    """Every node's kubelet; feed it pod events with :meth:`on_pod`."""

    def __init__(
        self,
        store: StorePort,
        cache: Cache,
        clock: Clock,
        recorder: EventRecorder,
        *,
        rules: KubeletRules,
        rng: random.Random,
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self._rules = rules
        self._rt = by_kind("Pod")
        self._runs: dict[str, PodRun] = {}
        self._stopped = False
        self._network = PodNetwork()
        self.runtime = ContainerRuntime(
            rules, clock, rng, later=self._later, emit=self._emit, changed=self._changed
        )
        self.queue: WorkQueue[Key] = WorkQueue("kubelet", self._write_status, clock)

    def stop(self) -> None:
        """Forget every pod: pending timers find no run and do nothing."""
        self._stopped = True
        for run in list(self._runs.values()):
            run.token += 1
        self._runs.clear()

    def on_pod(self, event_type: str, pod: Obj) -> None:
        """React to one pod event (cheap for pods already running)."""
        uid = uid_of(pod)
        run = self._runs.get(uid)
        if event_type == "DELETED":
            if run is not None:
                self._drop(run)
            return
        node = pod.get("spec", {}).get("nodeName")
        if not node:
            return
        if pod.get("metadata", {}).get("deletionTimestamp"):
            if run is None:
                self._later_plain(0.0, lambda: self._finalize(pod))
            elif not run.terminating:
                self._terminate(run, pod)
            return
        if run is not None:
            self._follow_spec(run, pod)
            return
        if self._cache.get("Node", "", node) is None:
            return  # no such node: nobody runs this pod
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return
        self._runs[uid] = self._adopt(pod) if _running(pod) else self._start(pod)

    def _new_run(self, pod: Obj) -> PodRun:
        meta, spec = pod["metadata"], pod.get("spec", {})
        node = self._cache.get("Node", "", spec["nodeName"])

        def containers(key: str, *, init: bool) -> list[ContainerRun]:
            reason = "PodInitializing" if spec.get("initContainers") else "ContainerCreating"
            return [
                ContainerRun(
                    name=c["name"], image=c.get("image", ""), init=init, reason=reason, spec=c
                )
                for c in spec.get(key) or ()
            ]

        mounts = {
            c["name"]: [
                {**m, "recursiveReadOnly": "Disabled"} if m.get("readOnly") else dict(m)
                for m in c.get("volumeMounts") or ()
            ]
            for key in ("initContainers", "containers")
            for c in spec.get(key) or ()
        }
        return PodRun(
            uid=meta["uid"],
            namespace=meta["namespace"],
            name=meta["name"],
            node=spec["nodeName"],
            host_ip=node_ip(node),
            start_time=rfc3339(self._clock.now()),
            init=containers("initContainers", init=True),
            main=containers("containers", init=False),
            restart_policy=spec.get("restartPolicy", "Always"),
            volume_mounts=mounts,
            job=any(r.get("kind") == "Job" for r in meta.get("ownerReferences") or ()),
        )

    def _start(self, pod: Obj) -> PodRun:
        run = self._new_run(pod)
        self._changed(run)
        self._later(run, self._rules.sandbox_seconds, lambda: self._sandbox_up(run))
        return run

    def _sandbox_up(self, run: PodRun) -> None:
        run.sandbox_ready = True
        run.pod_ip = self._network.allocate(self._cache.get("Node", "", run.node))
        self._changed(run)
        self._next_init(run, 0)

    def _next_init(self, run: PodRun, index: int) -> None:
        if index < len(run.init):
            self.runtime.launch(run, run.init[index], lambda: self._next_init(run, index + 1))
            return
        for c in run.main:
            self.runtime.launch(run, c)

    def _adopt(self, pod: Obj) -> PodRun:
        run = self._new_run(pod)
        status = pod.get("status", {})
        run.host_ip = status.get("hostIP") or run.host_ip
        run.start_time = status.get("startTime") or run.start_time
        run.pod_ip = status.get("podIP", "")
        run.sandbox_ready = True
        self._network.claim(run.pod_ip)
        reported = {
            s.get("name"): s
            for key in ("initContainerStatuses", "containerStatuses")
            for s in status.get(key) or ()
        }
        for c in [*run.init, *run.main]:
            self.runtime.remember_image(run.node, c.image)
            seen = reported.get(c.name, {})
            state = seen.get("state", {})
            c.created, c.ready = True, bool(seen.get("ready"))
            c.restarts = int(seen.get("restartCount") or 0)
            c.container_id, c.image_id = seen.get("containerID", ""), seen.get("imageID", "")
            c.last = (seen.get("lastState") or {}).get("terminated")
            if "terminated" in state:
                done = state["terminated"]
                c.state, c.reason = "terminated", done.get("reason", "Completed")
                c.exit_code = int(done.get("exitCode") or 0)
                c.started_at, c.finished_at = done.get("startedAt", ""), done.get("finishedAt", "")
            else:
                c.state, c.reason = "running", ""
                c.started_at = state.get("running", {}).get("startedAt", "")
        return run

    def _follow_spec(self, run: PodRun, pod: Obj) -> None:
        """An image changed in place (``set image`` on a bare pod): restart that container."""
        images = {c["name"]: c for c in pod.get("spec", {}).get("containers") or ()}
        for c in run.main:
            spec = images.get(c.name)
            if spec is None or spec.get("image", c.image) == c.image:
                continue
            self._emit(
                run,
                c,
                EventType.NORMAL,
                "Killing",
                f"Container {c.name} definition changed, will be restarted",
            )
            self.runtime.kill(c)
            c.image, c.spec, c.ready = spec.get("image", ""), spec, False
            self.runtime.launch(run, c)
            self._changed(run)

    def _terminate(self, run: PodRun, pod: Obj) -> None:
        run.terminating = True
        run.token += 1
        for c in [*run.init, *run.main]:
            self.runtime.kill(c)
            if c.state == "running":
                self._emit(run, c, EventType.NORMAL, "Killing", f"Stopping container {c.name}")
        meta = pod["metadata"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = pod.get("spec", {}).get("terminationGracePeriodSeconds", 30)
        self._later(run, min(float(grace), self._rules.stop_seconds), lambda: self._finalize(pod))

    def _finalize(self, pod: Obj) -> None:
        namespace, name = key_of(pod)
        current = self._store.find(self._rt, namespace, name)
        if current is not None and uid_of(current) == uid_of(pod):
            run = self._runs.get(uid_of(pod))
            if run is not None:
                self._report_stopped(run)
            try:
                gone = self._store.delete(self._rt, namespace, name, grace_period_seconds=0)
            except ApiError:
                return
            self._cache.forget("Pod", gone)
        run = self._runs.get(uid_of(pod))
        if run is not None:
            self._drop(run)

    def _report_stopped(self, run: PodRun) -> None:
        """The last status before the grace-0 delete: containers stopped, a terminal phase.

        ``getPhase`` with podIsTerminal gives a deleted pod Succeeded (every container exited 0)
        or Failed (Pending while a container never started), so ``kubectl get pods -w`` ends on
        ``0/1 Completed`` instead of a pod that vanishes while still Ready.
        """
        now = rfc3339(self._clock.now())
        for c in [*run.init, *run.main]:
            if c.state == "running":  # stopped by its STOPSIGNAL within the grace period
                c.state, c.exit_code, c.reason, c.finished_at = "terminated", 0, "Completed", now
            c.ready = c.ready and c.init
        run.sandbox_ready = False
        never_started = any(c.state == "waiting" and c.last is None for c in run.main)
        succeeded = all(c.state == "terminated" and c.exit_code == 0 for c in run.main)

        def update(obj: Obj) -> None:
            status = render(run, obj.get("status") or {}, now)
            if not never_started:
                status["phase"] = "Succeeded" if succeeded else "Failed"
            if status["phase"] == "Succeeded":
                for cond in status["conditions"]:
                    if cond["type"] in ("Ready", "ContainersReady"):
                        cond["reason"] = "PodCompleted"
                        cond.pop("message", None)
            obj["status"] = status

        key = (run.namespace, run.name)
        written = self._store.mutate(self._rt, *key, update, subresource="status")
        self._cache.apply("MODIFIED", "Pod", written)

    def _drop(self, run: PodRun) -> None:
        run.token += 1
        for c in [*run.init, *run.main]:
            self.runtime.kill(c)
        self._runs.pop(run.uid, None)
        self._network.release(run.pod_ip)

    def _later(self, run: PodRun, delay: float, fn: Callable[[], None]) -> None:
        token = run.token

        def fire() -> None:
            if run.token == token and self._runs.get(run.uid) is run:
                fn()

        self._clock.call_later(delay, fire)

    def _later_plain(self, delay: float, fn: Callable[[], None]) -> None:
        self._clock.call_later(delay, lambda: None if self._stopped else fn())

    def _emit(
        self, run: PodRun, c: ContainerRun, kind: EventType, reason: str, message: str
    ) -> None:
        pod = self._cache.get("Pod", run.namespace, run.name)
        if pod is None or uid_of(pod) != run.uid:
            return
        field = f"spec.{'initContainers' if c.init else 'containers'}{{{c.name}}}"
        self._recorder.record(
            pod,
            kind=kind,
            reason=reason,
            message=message,
            source=Source("kubelet", run.node),
            field_path=field,
        )

    def _changed(self, run: PodRun) -> None:
        self.queue.add((run.namespace, run.name))

    def _write_status(self, key: Key) -> None:
        pod = self._cache.get("Pod", *key)
        if pod is None:
            return
        run = self._runs.get(uid_of(pod))
        if run is None or run.terminating:
            return
        now = rfc3339(self._clock.now())

        def update(obj: Obj) -> None:
            obj["status"] = render(run, obj.get("status") or {}, now)

        written = self._store.mutate(self._rt, *key, update, subresource="status")
        self._cache.apply("MODIFIED", "Pod", written)


def _running(pod: Obj) -> bool:
    status = pod.get("status", {})
    statuses = status.get("containerStatuses") or ()
    return (
        status.get("phase") == "Running"
        and bool(statuses)
        and all("running" in (s.get("state") or {}) for s in statuses)
    )
