"""``rollout status`` of a Deployment: kubectl's lines, and the new pods that are stuck.

kubectl follows the Deployment alone, so a rollout stuck on a missing image reads "1 out of 3
new replicas have been updated..." until the progress deadline (ten minutes by default). The bot
follows the Deployment's pods as well (a second list+watch, on its own thread, into one queue)
and answers as soon as a pod of the new ReplicaSet is stuck (ImagePullBackOff, CrashLoopBackOff,
unschedulable ...), naming it, or cannot be created at all (the Deployment's ReplicaFailure: a
quota, a LimitRange), instead of after its own deadline.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.core import kube, rollout, rollout_status
from bot.core.kube import Obj
from bot.core.results import Document
from bot.errors import ClusterError, NotFound
from bot.gateway.api import Api
from bot.gateway.discovery import DEPLOYMENTS, PODS, REPLICASETS
from bot.gateway.errors import Target
from bot.gateway.watch import EventType, Watch, WatchEvent

logger = logging.getLogger(__name__)

_JOIN_SECONDS = 5.0
"""How long to wait for a stopped watch thread (a stop interrupts its read at once)."""


@dataclass(slots=True)
class _Progress:
    """What has been seen so far: kubectl's distinct lines, the Deployment, its pods."""

    namespace: str
    name: str
    lines: list[str] = field(default_factory=list)
    deployment: Obj | None = None
    pods: dict[str, Obj] = field(default_factory=dict)
    new_rs: Obj | None = None
    rs_generation: int = -1
    """The Deployment generation ``new_rs`` was looked up for."""

    def add(self, state: rollout_status.Status) -> None:
        line = f"error: {state.message}" if state.failed else state.message
        if not self.lines or self.lines[-1] != line:
            self.lines.append(line)

    def document(self, *, failed: bool = False, notes: tuple[str, ...] = ()) -> Document:
        return Document("\n".join(self.lines) + "\n", failed=failed, notes=notes)


class DeploymentStatus:
    """Follows one Deployment's rollout, as ``kubectl rollout status`` does, plus its pods."""

    def __init__(
        self,
        api: Api,
        *,
        page_size: int,
        timeout: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._page_size = page_size
        self._timeout = timeout
        self._monotonic = monotonic

    def follow(self, namespace: str, name: str, *, watch: bool = True) -> Document:
        """kubectl's lines until done, failed, a stuck new pod, or the bot's deadline."""
        deadline = self._monotonic() + self._timeout
        target = Target("deployment", name, namespace)
        deployments = Watch(
            self._api,
            DEPLOYMENTS.path(namespace),
            fields=f"metadata.name={name}",
            page_size=self._page_size,
            deadline=deadline,
            target=target,
            monotonic=self._monotonic,
        )
        seen = _Progress(namespace, name)
        for event in deployments.initial():
            seen.deployment = event.object
        if seen.deployment is None:
            raise NotFound(f'deployment "{name}" not found in namespace "{namespace}"')
        state = rollout_status.status(seen.deployment)
        seen.add(state)
        if state.done or state.failed:
            return seen.document(failed=state.failed)
        selector = kube.selector_string(kube.mapping(seen.deployment, "spec", "selector"))
        if not watch:
            page, _ = self._api.list(
                PODS.path(namespace), query=[("labelSelector", selector)], page_size=self._page_size
            )
            seen.pods = {kube.name_of(pod): pod for pod in page.items}
            return self._stuck(seen) or seen.document()
        pods = Watch(
            self._api,
            PODS.path(namespace),
            labels=selector,
            page_size=self._page_size,
            deadline=deadline,
            target=Target("pods", None, namespace),
            monotonic=self._monotonic,
        )
        return self._wait(seen, deployments, pods, deadline=deadline)

    def _wait(
        self, seen: _Progress, deployments: Watch, pods: Watch, *, deadline: float
    ) -> Document:
        events: queue.Queue[tuple[str, WatchEvent | BaseException | None]] = queue.Queue()
        threads = [
            _pump("deployment", deployments, events, optional=False),
            _pump("pods", pods, events, optional=True),
        ]
        ended: set[str] = set()
        try:
            while len(ended) < len(threads):
                remaining = deadline - self._monotonic()
                if remaining <= 0:
                    break
                try:
                    source, item = events.get(timeout=remaining)
                except queue.Empty:
                    break
                if isinstance(item, BaseException):
                    raise item
                if item is None:
                    ended.add(source)
                    if source == "deployment":
                        break
                    continue
                answer = self._on_event(seen, source, item)
                if answer is not None:
                    return answer
        finally:
            deployments.stop()
            pods.stop()
            for thread in threads:
                thread.join(_JOIN_SECONDS)
        note = (
            f"the rollout is still in progress after {self._timeout:g} s; run "
            "rollout status again to keep following it"
        )
        return seen.document(notes=(note,))

    def _on_event(self, seen: _Progress, source: str, event: WatchEvent) -> Document | None:
        if source == "pods":
            pod_name = kube.name_of(event.object)
            if event.type is EventType.DELETED:
                seen.pods.pop(pod_name, None)
            else:
                seen.pods[pod_name] = event.object
        elif event.type is EventType.DELETED:
            return Document(f'error: deployment "{seen.name}" was deleted\n', failed=True)
        else:
            seen.deployment = event.object
            state = rollout_status.status(event.object)
            seen.add(state)
            if state.done or state.failed:
                return seen.document(failed=state.failed)
        return self._stuck(seen)

    def _stuck(self, seen: _Progress) -> Document | None:
        """The answer naming the new ReplicaSet's stuck pods (or the pods it cannot create),
        or None while none is stuck."""
        deployment = seen.deployment
        refused = rollout_status.replica_failure(deployment) if deployment is not None else ""
        if refused:
            note = (
                "no more pods will be created until there is room: see describe quota and "
                "describe limitrange in the namespace, or scale down"
            )
            return Document(f"{seen.document().text}{refused}\n", notes=(note,))
        if deployment is None or not seen.pods:
            return None
        generation = kube.number(deployment, "metadata", "generation")
        if generation > kube.number(deployment, "status", "observedGeneration"):
            return None  # the controller has not picked its new ReplicaSet yet
        if seen.new_rs is None or seen.rs_generation != generation:
            seen.new_rs = self._new_replica_set(seen.namespace, deployment)
            seen.rs_generation = generation
        if seen.new_rs is None:
            return None
        stuck = rollout_status.failing_pods(seen.new_rs, list(seen.pods.values()))
        if not stuck:
            return None
        name = kube.name_of(deployment)
        lines = "".join(f"{line}\n" for line in stuck)
        note = (
            f"the new pods will not come up without a change: fix the image or the pods' spec, "
            f"or run rollout undo deployment/{name}"
        )
        return Document(seen.document().text + lines, notes=(note,))

    def _new_replica_set(self, namespace: str, deployment: Obj) -> Obj | None:
        selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
        page, _ = self._api.list(
            REPLICASETS.path(namespace),
            query=[("labelSelector", selector)],
            page_size=self._page_size,
        )
        return rollout.new_replica_set(
            deployment, rollout.owned_replica_sets(deployment, page.items)
        )


def _pump(
    source: str,
    watch: Watch,
    events: queue.Queue[tuple[str, WatchEvent | BaseException | None]],
    *,
    optional: bool,
) -> threading.Thread:
    """Iterate ``watch`` on a thread into ``events``; None when it ends, or the error."""

    def run() -> None:
        try:
            iterator: Iterator[WatchEvent] = iter(watch)
            for event in iterator:
                events.put((source, event))
        except ClusterError as e:
            if not optional:
                events.put((source, e))
                return
            logger.info("rollout status: not following the pods (%s)", e)
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread, which raises it
            events.put((source, e))
            return
        events.put((source, None))

    thread = threading.Thread(target=run, name=f"rollout-status-{source}", daemon=True)
    thread.start()
    return thread
