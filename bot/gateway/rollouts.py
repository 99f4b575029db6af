"""``rollout status|history|undo|restart`` for Deployments, on kubectl's requests.

The decisions live in ``bot.core.rollout``; this module reads what they need (the Deployment as
raw JSON, its ReplicaSets across all pages) and sends what they decide: a JSON patch for undo,
a strategic merge patch for restart. ``status`` follows the rollout with list+watch on
``metadata.name`` until it is done, fails, or the bot's own deadline passes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import urllib3

from bot.core import kube, rollout, tabwriter
from bot.core.command import Rollout
from bot.core.describe import describe_template
from bot.core.kube import Obj
from bot.core.results import Change, Document
from bot.errors import ClusterError, NotFound
from bot.gateway.api import JSON_PATCH, STRATEGIC_MERGE_PATCH, Api, Response
from bot.gateway.discovery import DEPLOYMENTS, REPLICASETS
from bot.gateway.errors import Target, translate
from bot.gateway.namespaces import namespace_of

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _events(response: Response) -> Iterator[Obj]:
    """Watch events from a chunked response, one JSON object per line."""
    buffer = b""
    for chunk in response.stream(None):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                event = json.loads(line)
                if isinstance(event, dict):
                    yield event


class Rollouts:
    """Runs the ``rollout`` sub-commands against one cluster."""

    def __init__(
        self,
        api: Api,
        *,
        page_size: int,
        timeout: float,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._page_size = page_size
        self._timeout = timeout
        self._now = now
        self._monotonic = monotonic

    # --- reads shared by history and undo ---------------------------------------------------

    def _deployment(self, namespace: str, name: str) -> Obj:
        return self._api.get(
            DEPLOYMENTS.path(namespace, name), target=Target("deployment", name, namespace)
        )

    def _owned(self, deployment: Obj, namespace: str) -> list[Obj]:
        selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
        page, _ = self._api.list(
            REPLICASETS.path(namespace),
            query=[("labelSelector", selector)],
            page_size=self._page_size,
        )
        return rollout.owned_replica_sets(deployment, page.items)

    # --- history ----------------------------------------------------------------------------

    def history(self, cmd: Rollout) -> Document:
        """kubectl's history table, or one revision's pod template with ``--revision``."""
        namespace = namespace_of(cmd)
        owned = self._owned(self._deployment(namespace, cmd.name), namespace)
        if cmd.to_revision:
            templates = rollout.history(owned)
            if cmd.to_revision not in templates:
                raise NotFound("unable to find the specified revision")
            header = f"deployment.apps/{cmd.name} with revision #{cmd.to_revision}\n"
            return Document(header + describe_template(templates[cmd.to_revision]))
        rows = rollout.history_rows(owned)
        if not rows:
            return Document("No rollout history found.")
        table = "REVISION\tCHANGE-CAUSE\n" + "".join(f"{r}\t{c}\n" for r, c in rows)
        # kubectl's name printer adds "NAME " + newline around history's tabwriter text.
        return Document(f"deployment.apps/{cmd.name} \n{tabwriter.align(table)}\n")

    # --- undo and restart -------------------------------------------------------------------

    def undo(self, cmd: Rollout) -> Change:
        """Roll back to the previous (or ``--to-revision``) template, as kubectl decides."""
        namespace = namespace_of(cmd)
        deployment = self._deployment(namespace, cmd.name)
        plan = rollout.plan_undo(
            deployment, self._owned(deployment, namespace), to_revision=cmd.to_revision or 0
        )
        notes: tuple[str, ...] = ()
        if plan.patch:
            self._api.json(
                "PATCH",
                DEPLOYMENTS.path(namespace, cmd.name),
                body=list(plan.patch),
                content_type=JSON_PATCH,
                target=Target("deployment", cmd.name, namespace),
            )
            if _LAST_APPLIED in kube.string_map(deployment, "metadata", "annotations"):
                notes = (
                    "this deployment is managed with kubectl apply: the next apply of its "
                    "manifest will replace the rolled-back template",
                )
        return Change(f"deployment.apps/{cmd.name} {plan.outcome}", notes=notes)

    def restart(self, cmd: Rollout) -> Change:
        """Set ``kubectl.kubernetes.io/restartedAt`` on the pod template, as kubectl does."""
        namespace = namespace_of(cmd)
        deployment = self._deployment(namespace, cmd.name)
        patch = rollout.restart_patch(deployment, self._now())
        self._api.json(
            "PATCH",
            DEPLOYMENTS.path(namespace, cmd.name),
            query=[("fieldManager", "kubectl-rollout")],
            body=patch,
            content_type=STRATEGIC_MERGE_PATCH,
            target=Target("deployment", cmd.name, namespace),
        )
        return Change(f"deployment.apps/{cmd.name} restarted")

    # --- status -----------------------------------------------------------------------------

    def status(self, cmd: Rollout) -> Document:
        """Follow the rollout; every distinct status line, ``failed`` on a progress deadline."""
        namespace = namespace_of(cmd)
        deadline = self._monotonic() + self._timeout
        selector = ("fieldSelector", f"metadata.name={cmd.name}")
        url = DEPLOYMENTS.path(namespace)
        lines: list[str] = []

        def seen(state: rollout.Status) -> Document | None:
            line = f"error: {state.message}" if state.failed else state.message
            if not lines or lines[-1] != line:
                lines.append(line)
            if state.done or state.failed:
                return Document("\n".join(lines) + "\n", failed=state.failed)
            return None

        while True:  # list, then watch; a 410 Gone starts over with a fresh list
            listed = self._api.get(
                url,
                query=[selector, ("limit", str(self._page_size))],
                target=Target("deployment", cmd.name, namespace),
            )
            items = kube.items(listed, "items")
            if not items:
                raise NotFound(f'deployment "{cmd.name}" not found in namespace "{namespace}"')
            finished = seen(rollout.status(items[0]))
            if finished is not None:
                return finished
            version = kube.text(listed, "metadata", "resourceVersion")
            outcome = self._watch(url, selector, version, deadline, seen)
            if isinstance(outcome, Document):
                return outcome
            if outcome == "timeout":
                note = (
                    f"the rollout is still in progress after {self._timeout:g} s; run "
                    "rollout status again to keep following it"
                )
                return Document("\n".join(lines) + "\n", notes=(note,))

    def _watch(
        self,
        url: str,
        selector: tuple[str, str],
        version: str,
        deadline: float,
        seen: Callable[[rollout.Status], Document | None],
    ) -> Document | str:
        """Watch until done/failed (a Document), ``"timeout"`` or ``"gone"`` (re-list)."""
        while True:
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return "timeout"
            query = [
                selector,
                ("allowWatchBookmarks", "true"),
                ("resourceVersion", version),
                ("timeoutSeconds", str(max(1, math.ceil(remaining)))),
                ("watch", "true"),
            ]
            response = self._api.request(
                "GET", url, query=query, read_timeout=remaining + self._api.timeout
            )
            finished: Document | str | None = None
            try:
                for event in _events(response):
                    kind, obj = event.get("type"), kube.mapping(event, "object")
                    if kind == "ERROR":
                        if kube.number(obj, "code") == 410:
                            finished = "gone"
                            break
                        raise ClusterError(kube.text(obj, "message") or "the watch failed")
                    version = kube.text(obj, "metadata", "resourceVersion") or version
                    if kind == "DELETED":
                        finished = Document(
                            f'error: deployment "{kube.name_of(obj)}" was deleted\n', failed=True
                        )
                        break
                    if kind in ("ADDED", "MODIFIED"):
                        finished = seen(rollout.status(obj))
                        if finished is not None:
                            break
                    if self._monotonic() >= deadline:
                        finished = "timeout"
                        break
            except urllib3.exceptions.HTTPError as e:
                raise translate(e, method="GET", timeout=remaining) from e
            finally:
                response.close()
                response.release_conn()
            if finished is not None:
                return finished
