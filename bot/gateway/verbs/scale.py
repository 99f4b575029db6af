"""``scale deployment|statefulset/NAME --replicas=N [--current-replicas=C]`` through ``/scale``.

Without a precondition kubectl sends one merge patch, which cannot conflict. With
``--current-replicas`` it reads the Scale, checks it and writes it back with the read
``resourceVersion``; a 409 then means someone changed the Deployment in between. kubectl retries
that for minutes; the bot reports it instead, since the precondition the user stated may no
longer hold.
"""

from __future__ import annotations

from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Change
from bot.core.verbs.scale import Scale
from bot.errors import Conflict
from bot.gateway.api import MERGE_PATCH, Api
from bot.gateway.discovery import DEPLOYMENTS, STATEFULSETS
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler, deployments_only
from bot.gateway.namespaces import namespace_of

_SCALABLE: Final = {"deployment": DEPLOYMENTS, "statefulset": STATEFULSETS}


def scale(api: Api, cmd: Scale) -> Change:
    """Scale a Deployment or StatefulSet as kubectl does and return kubectl's ``scaled`` line."""
    namespace = namespace_of(cmd)
    url = _SCALABLE[cmd.kind].path(namespace, cmd.name, "scale")
    target = Target(cmd.kind, cmd.name, namespace)
    summary = f"{cmd.kind}.apps/{cmd.name} scaled"
    if cmd.current_replicas is None:
        api.json(
            "PATCH",
            url,
            body={"spec": {"replicas": cmd.replicas}},
            content_type=MERGE_PATCH,
            target=target,
        )
        return Change(summary)
    current = api.get(url, target=target)
    found = kube.number(current, "spec", "replicas")
    if found != cmd.current_replicas:
        raise Conflict(f"Expected replicas to be {cmd.current_replicas}, was {found}")
    body = dict(current)
    body["spec"] = {**kube.mapping(current, "spec"), "replicas": cmd.replicas}
    try:
        api.json("PUT", url, body=body, content_type="application/json", target=target)
    except Conflict as e:
        raise Conflict(
            f'{cmd.kind} "{cmd.name}" changed meanwhile; check its replicas and try again',
            status=e.status,
            reason=e.reason,
        ) from e
    return Change(summary)


def _scale(cmd: Scale, call: Call) -> Change:
    if cmd.kind not in _SCALABLE:
        deployments_only(cmd.kind)
    return scale(call.api, cmd)


HANDLER: Final = Handler(
    "scale",
    Scale,
    _scale,
    access=tuple(
        Access(verb, plural, "apps", "scale")
        for plural in ("deployments", "statefulsets")
        for verb in ("patch", "get", "update")
    ),
)
