"""``rollout pause|resume deployment/NAME`` on kubectl's requests and lines.

kubectl reads the Deployment, refuses when it is already in the asked state (``is already
paused`` / ``is not paused``, exit 1, nothing sent), and otherwise sends the strategic merge
patch it computes: ``{"spec":{"paused":true}}``, or ``{"spec":{"paused":null}}`` to resume
(``paused: false`` is omitted from the JSON, so the diff deletes the field), with
``fieldManager=kubectl-rollout``.
"""

from __future__ import annotations

from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Change
from bot.core.verbs.rollout_pause import PauseRollout
from bot.errors import ClusterError
from bot.gateway.api import STRATEGIC_MERGE_PATCH
from bot.gateway.discovery import DEPLOYMENTS
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler, deployments_only
from bot.gateway.namespaces import namespace_of
from bot.gateway.verbs.rollout_sets import SET_KINDS


def pause(cmd: PauseRollout, call: Call) -> Change:
    """Pause or resume the Deployment and return kubectl's ``paused``/``resumed`` line."""
    namespace = namespace_of(cmd)
    if cmd.kind in SET_KINDS:
        info = SET_KINDS[cmd.kind][0]
        call.api.get(info.path(namespace, cmd.name), target=Target(cmd.kind, cmd.name, namespace))
        doing = "pausing" if cmd.paused else "resuming"
        raise ClusterError(f'{info.qualified} "{cmd.name}" {doing} is not supported')
    deployments_only(cmd.kind)
    url = DEPLOYMENTS.path(namespace, cmd.name)
    target = Target("deployment", cmd.name, namespace)
    deployment = call.api.get(url, target=target)
    if bool(kube.mapping(deployment, "spec").get("paused")) == cmd.paused:
        state = "is already paused" if cmd.paused else "is not paused"
        raise ClusterError(f'{DEPLOYMENTS.qualified} "{cmd.name}" {state}')
    call.api.json(
        "PATCH",
        url,
        query=[("fieldManager", "kubectl-rollout")],
        body={"spec": {"paused": True if cmd.paused else None}},
        content_type=STRATEGIC_MERGE_PATCH,
        target=target,
    )
    return Change(f"deployment.apps/{cmd.name} {'paused' if cmd.paused else 'resumed'}")


_PATCH: Final = (
    Access("patch", "deployments", "apps"),
    Access("get", "statefulsets", "apps"),
    Access("get", "daemonsets", "apps"),
)
PAUSE: Final = Handler("rollout-pause", PauseRollout, pause, access=_PATCH)
RESUME: Final = Handler("rollout-resume", PauseRollout, pause, access=_PATCH)
