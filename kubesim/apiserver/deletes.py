"""DELETE on resource URLs: one object or a collection, with DeleteOptions from body and query.

The option rules (gracePeriodSeconds, propagationPolicy, orphanDependents, preconditions, dryRun)
are checked here as the apiserver's generic handler checks them; the store applies the deletion.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from kubesim.api import status
from kubesim.apiserver import negotiation
from kubesim.apiserver.routing import Target
from kubesim.apiserver.wire import dry_run, flag, int_param, respond, without_type
from kubesim.selectors.fields import parse_fields
from kubesim.selectors.labels import parse_labels
from kubesim.storage.store import Obj, Store


def delete_options(request: web.Request, raw: bytes) -> dict[str, Any]:
    """DeleteOptions from the body and the query, checked as the apiserver checks them."""
    options: dict[str, Any] = {}
    if raw.strip():
        body = negotiation.parse_body(raw, request.headers.get("Content-Type", ""))
        if not isinstance(body, dict):
            raise status.bad_request("the body of a DELETE must be DeleteOptions")
        options = body
    grace = int_param(request, "gracePeriodSeconds")
    if grace is not None:
        options["gracePeriodSeconds"] = grace
    if request.query.get("propagationPolicy"):
        options["propagationPolicy"] = request.query["propagationPolicy"]
    if request.query.get("orphanDependents") is not None:
        options["orphanDependents"] = flag(request.query["orphanDependents"])
    policy = options.get("propagationPolicy")
    if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
        raise status.invalid(
            "DeleteOptions",
            "",
            "",
            [
                status.Cause(
                    "propagationPolicy",
                    f'Unsupported value: "{policy}": supported values: "Foreground", '
                    '"Background", "Orphan", "nil"',
                    "FieldValueNotSupported",
                )
            ],
        )
    if policy is None and options.get("orphanDependents") is True:
        options["propagationPolicy"] = "Orphan"
    return options


def _delete_one(
    request: web.Request, store: Store, target: Target, name: str, options: dict[str, Any]
) -> Obj:
    dry = dry_run(request) or "All" in (options.get("dryRun") or [])
    return store.delete(
        target.rt,
        target.namespace,
        name,
        grace_period_seconds=options.get("gracePeriodSeconds"),
        propagation=options.get("propagationPolicy") or "Background",
        dry_run=dry,
        preconditions=options.get("preconditions"),
    )


def delete(request: web.Request, target: Target, raw: bytes, *, store: Store) -> web.Response:
    """DELETE on one object: the deleted object, or a Success Status for types that say so."""
    assert target.name is not None
    rt = target.rt
    gone = _delete_one(request, store, target, target.name, delete_options(request, raw))
    if rt.returns_deleted_object:
        return respond(gone)
    return respond(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {
                "name": target.name,
                "group": rt.group,
                "kind": rt.plural,
                "uid": gone["metadata"].get("uid", ""),
            },
        }
    )


def delete_collection(
    request: web.Request, target: Target, raw: bytes, *, store: Store
) -> web.Response:
    """DELETE on a collection: each selected object, as a list of what was deleted."""
    rt = target.rt
    options = delete_options(request, raw)
    labels = parse_labels(request.query.get("labelSelector"))
    fields = parse_fields(request.query.get("fieldSelector"), rt)
    doomed = [
        (o["metadata"].get("namespace"), o["metadata"]["name"])
        for o in store.scan(rt, target.namespace, labels=labels, fields=fields)
    ]
    deleted = []
    for namespace, name in doomed:
        one = Target(rt, namespace, name, None)
        try:
            deleted.append(_delete_one(request, store, one, name, options))
        except status.ApiError as err:
            if err.code != 404:
                raise
    return respond(
        {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(store.resource_version)},
            "items": [without_type(o) for o in deleted],
        }
    )
