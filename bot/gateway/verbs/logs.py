"""``logs``: one pod, the pod kubectl would pick for ``deployment/NAME``, or every ``-l`` match.

Reading is bounded twice: the server is asked for ``limitBytes`` and at most ``tailLines`` lines,
and the bot stops reading its own budget's worth of bytes and drops the connection, so a chatty
container cannot flood the bot or the channel. kubectl reads everything by default; the bot
defaults to the last ``default_tail`` lines (``-l``: 10, as kubectl) and says so.
"""

from __future__ import annotations

from typing import Final

import urllib3

from bot.core import kube, logpick
from bot.core.kube import Obj
from bot.core.rbac import Access, reads
from bot.core.results import Document
from bot.core.verbs.logs import Logs
from bot.errors import ClusterError, NotFound
from bot.gateway.api import Api
from bot.gateway.discovery import DAEMONSETS, DEPLOYMENTS, JOBS, PODS, STATEFULSETS
from bot.gateway.errors import Target, translate
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of
from bot.gateway.options import LogLimits

_CONTROLLERS: Final = {
    "deployment": DEPLOYMENTS,
    "statefulset": STATEFULSETS,
    "daemonset": DAEMONSETS,
    "job": JOBS,
}
"""The workloads ``logs TYPE/NAME`` picks a pod of, by their selector."""


class LogReader:
    """Runs ``logs`` against one cluster."""

    def __init__(self, api: Api, *, limits: LogLimits, page_size: int) -> None:
        self._api = api
        self._limits = limits
        self._page_size = page_size

    def logs(self, cmd: Logs) -> Document:
        """Read the logs kubectl would print for ``cmd``."""
        namespace = namespace_of(cmd)
        notes: list[str] = []
        if cmd.selector is not None:
            pods = self._pods(namespace, cmd.selector)
            if not pods:
                return Document(f"No resources found in {namespace} namespace.", syntax="log")
            most = self._limits.max_pods
            if len(pods) > most:
                notes.append(f"read the first {most} of {len(pods)} pods; narrow -l to see others")
                pods = pods[:most]
        elif cmd.kind in _CONTROLLERS:
            pods = [self._controller_pod(cmd.kind, namespace, cmd.name or "", notes)]
        else:
            name = cmd.name or ""
            pods = [
                self._api.get(PODS.path(namespace, name), target=Target("pod", name, namespace))
            ]
        tail = self._tail(cmd, notes)
        streams = [
            (pod, container) for pod in pods for container in self._containers(pod, cmd, notes)
        ]
        prefix = cmd.prefix or len(streams) > 1
        if prefix and not cmd.prefix:
            notes.append("lines are prefixed with [pod/NAME/CONTAINER] (kubectl --prefix)")
        chunks: list[str] = []
        for pod, container in streams:
            text, cut = self._read(pod, container, cmd, tail)
            if cut:
                notes.append(
                    f"pod/{kube.name_of(pod)}: stopped after {self._limits.limit_bytes} bytes; "
                    "use --tail or --since to narrow"
                )
            if prefix:
                label = f"[pod/{kube.name_of(pod)}/{container}] "
                text = "".join(label + line for line in text.splitlines(keepends=True))
            chunks.append(text)
        return Document("".join(chunks), syntax="log", notes=tuple(notes))

    @staticmethod
    def _containers(pod: Obj, cmd: Logs, notes: list[str]) -> list[str]:
        """The containers to read: all of them (kubectl's order), or the one kubectl picks."""
        if cmd.all_containers:
            return [
                kube.text(c, "name")
                for key in ("initContainers", "containers", "ephemeralContainers")
                for c in kube.items(pod, "spec", key)
            ]
        choice = logpick.pick_container(pod, cmd.container)
        if choice.note and choice.note not in notes:
            notes.append(choice.note)
        return [choice.name]

    def _tail(self, cmd: Logs, notes: list[str]) -> int | None:
        limits = self._limits
        if cmd.tail == -1:
            notes.append(
                f"every line, up to {limits.limit_bytes} bytes per container "
                "(the bot's kubernetes.log_limit_bytes)"
            )
            return None
        if cmd.tail is None:
            tail = limits.selector_tail if cmd.selector is not None else limits.default_tail
            if cmd.selector is None:
                notes.append(f"last {tail} lines; use --tail=N for more (up to {limits.max_tail})")
            return tail
        if cmd.tail < 0 or cmd.tail > limits.max_tail:
            notes.append(f"--tail is capped at {limits.max_tail} lines")
            return limits.max_tail
        return cmd.tail

    def _pods(self, namespace: str, selector: str) -> list[Obj]:
        page, _ = self._api.list(
            PODS.path(namespace), query=[("labelSelector", selector)], page_size=self._page_size
        )
        return sorted(page.items, key=kube.name_of)

    def _controller_pod(self, kind: str, namespace: str, name: str, notes: list[str]) -> Obj:
        """``AttachablePodForObject``: the first pod of the workload's selector, ByLogging."""
        owner = self._api.get(
            _CONTROLLERS[kind].path(namespace, name), target=Target(kind, name, namespace)
        )
        selector = kube.selector_string(kube.mapping(owner, "spec", "selector"))
        pods = logpick.by_logging(self._pods(namespace, selector))
        if not pods:
            raise NotFound(f'{kind} "{name}" in namespace "{namespace}" has no pods')
        if len(pods) > 1:
            notes.append(f"Found {len(pods)} pods, using pod/{kube.name_of(pods[0])}")
        return pods[0]

    def _read(self, pod: Obj, container: str, cmd: Logs, tail: int | None) -> tuple[str, bool]:
        """The container's log text and whether the byte budget cut it short."""
        name, namespace = kube.name_of(pod), kube.text(pod, "metadata", "namespace")
        budget = self._limits.limit_bytes
        try:
            response = self._api.request(
                "GET",
                PODS.path(namespace, name, "log"),
                query=_query(container, cmd, tail, budget),
                accept="*/*",
                target=Target("pod", name, namespace),
            )
        except ClusterError as e:
            if e.status == 400 and "is waiting to start" in str(e):
                raise type(e)(
                    f"{e}; {logpick.not_started_hint(pod, container)}",
                    status=e.status,
                    reason=e.reason,
                ) from e
            raise
        data = bytearray()
        complete = True
        try:
            for chunk in response.stream(8192):
                data.extend(chunk)
                if len(data) > budget:
                    complete = False
                    break
        except urllib3.exceptions.HTTPError as e:
            raise translate(e, method="GET", timeout=self._api.timeout) from e
        finally:
            if not complete:
                response.close()  # unread bytes must not go back to the pool
            response.release_conn()
        cut = not complete or len(data) >= budget
        return bytes(data[:budget]).decode("utf-8", errors="replace"), cut


def _query(container: str, cmd: Logs, tail: int | None, budget: int) -> list[tuple[str, str]]:
    query = [("container", container), ("limitBytes", str(budget))]
    if tail is not None:
        query.append(("tailLines", str(tail)))
    if cmd.previous:
        query.append(("previous", "true"))
    if cmd.since_seconds is not None:
        query.append(("sinceSeconds", str(cmd.since_seconds)))
    if cmd.timestamps:
        query.append(("timestamps", "true"))
    return query


def _logs(cmd: Logs, call: Call) -> Document:
    reader = LogReader(call.api, limits=call.options.logs, page_size=call.options.page_size)
    return reader.logs(cmd)


HANDLER: Final = Handler(
    "logs",
    Logs,
    _logs,
    access=(
        *reads("pods"),
        Access("get", "pods", subresource="log"),
        Access("get", "deployments", "apps"),
        Access("get", "statefulsets", "apps"),
        Access("get", "daemonsets", "apps"),
        Access("get", "jobs", "batch"),
    ),
)
