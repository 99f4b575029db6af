"""``delete pod NAME`` and ``delete TYPE NAME|-l SELECTOR``, with kubectl's request and lines.

Each object gets ``DELETE`` with ``{"propagationPolicy":"Background"}`` as kubectl sends it; a
selector is resolved by listing first, so the reply names exactly what was deleted.
"""

from __future__ import annotations

from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Change, Document
from bot.core.verbs.delete import Delete
from bot.errors import NotFound, UsageError
from bot.gateway.api import Api
from bot.gateway.discovery import (
    CRONJOBS,
    DAEMONSETS,
    JOBS,
    PODS,
    SERVICES,
    STATEFULSETS,
    ResourceInfo,
)
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

DELETABLE: Final = {
    "pods": PODS,
    "services": SERVICES,
    "statefulsets": STATEFULSETS,
    "daemonsets": DAEMONSETS,
    "jobs": JOBS,
    "cronjobs": CRONJOBS,
}
"""The types ``delete`` takes, by their plural: its handler and its preview read the same table."""
_BODY: Final = {"propagationPolicy": "Background"}


def delete(api: Api, cmd: Delete, *, page_size: int) -> Change | Document:
    """Delete and return kubectl's ``pod "x" deleted`` lines."""
    info = DELETABLE.get(cmd.resource)
    if info is None:
        raise UsageError(f"delete works for {', '.join(DELETABLE)}, not {cmd.resource}")
    namespace = namespace_of(cmd)
    # kubectl names an object of a named group with it: pod "x", job.batch "y"
    singular = info.kind.lower() + (f".{info.group}" if info.group else "")
    if cmd.name is not None:
        _delete_one(api, info, namespace, cmd.name)
        return Change(f'{singular} "{cmd.name}" deleted')
    query = [("labelSelector", cmd.selector)] if cmd.selector else []
    page, _ = api.list(info.path(namespace), query=query, page_size=page_size)
    if not page.items:
        return Document(f"No resources found in {namespace} namespace.")
    lines: list[str] = []
    notes: list[str] = []
    for obj in page.items:
        name = kube.name_of(obj)
        try:
            _delete_one(api, info, namespace, name)
        except NotFound:
            notes.append(f'{singular} "{name}" was already gone')
            continue
        lines.append(f'{singular} "{name}" deleted')
    if not lines:
        return Document(f"No resources found in {namespace} namespace.", notes=tuple(notes))
    summary = lines[0] if len(lines) == 1 else f"{len(lines)} {info.plural} deleted"
    details = () if len(lines) == 1 else tuple(lines)
    return Change(summary, details=details, notes=tuple(notes))


def _delete_one(api: Api, info: ResourceInfo, namespace: str, name: str) -> None:
    api.json(
        "DELETE",
        info.path(namespace, name),
        body=dict(_BODY),
        content_type="application/json",
        target=Target(info.kind.lower(), name, namespace),
    )


def _delete(cmd: Delete, call: Call) -> Change | Document:
    return delete(call.api, cmd, page_size=call.options.page_size)


HANDLER: Final = Handler(
    "delete",
    Delete,
    _delete,
    access=(
        Access("delete", "pods"),
        Access("delete", "services"),
        Access("list", "services"),
        *(
            Access(verb, plural, group)
            for plural, group in (
                ("statefulsets", "apps"),
                ("daemonsets", "apps"),
                ("jobs", "batch"),
                ("cronjobs", "batch"),
            )
            for verb in ("delete", "list")
        ),
    ),
)
