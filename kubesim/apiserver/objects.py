"""The REST verbs on resource URLs: get, list/watch, create, update, patch, the scale subresource,
and the dispatch to DELETE (deletes.py) and pod logs (logs.py).

Each handler checks the request the way the apiserver's generic handlers do (name/namespace/kind
agreement, dryRun), then hands the write to the store, which owns the object rules.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from kubesim.api import status
from kubesim.apiserver import deletes, negotiation, watch
from kubesim.apiserver.negotiation import Output, Shape
from kubesim.apiserver.routing import Target
from kubesim.apiserver.wire import dry_run, flag, int_param, respond, without_type
from kubesim.patch import patching
from kubesim.selectors.fields import parse_fields
from kubesim.selectors.labels import parse_labels
from kubesim.storage import crds
from kubesim.storage.jsoncopy import clone
from kubesim.storage.store import Clock, Obj, Store, rfc3339

_STATUS_RESET_ON_CREATE = {
    "Deployment": {},
    "ReplicaSet": {"replicas": 0},  # not omitempty in apps/v1: always present
    "Service": {"loadBalancer": {}},
    "Pod": {"phase": "Pending"},
    "Namespace": {"phase": "Active"},
}


class Objects:
    """Handlers for one sandbox; everything runs on the store's loop."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        hub: watch.WatchHub,
        bookmark_interval: float,
        expire_watch: Callable[[], bool],
    ) -> None:
        self.store = store
        self.clock = clock
        self.hub = hub
        self.bookmark_interval = bookmark_interval
        self.expire_watch = expire_watch

    async def handle(self, request: web.Request, target: Target, raw: bytes) -> web.StreamResponse:
        """Dispatch on method and URL shape."""
        method, rt, sub = request.method, target.rt, target.subresource
        if target.legacy_watch:
            if method != "GET":
                raise status.method_not_allowed()
            return await self._watch(request, target)
        if target.name is None:
            if method == "GET":
                if flag(request.query.get("watch")):
                    return await self._watch(request, target)
                return self._list(request, target)
            if method == "POST" and (target.namespace is not None or not rt.namespaced):
                return self._create(request, target, raw)
            if method == "DELETE" and "deletecollection" in rt.verbs:
                return deletes.delete_collection(request, target, raw, store=self.store)
            raise status.method_not_allowed()
        if sub == "log":
            if method != "GET":
                raise status.method_not_allowed()
            from kubesim.apiserver import logs  # noqa: PLC0415 -- keeps the log streamer optional

            return await logs.serve(request, self.store, self.clock, target)
        if sub == "scale":
            return self._scale(request, target, raw)
        if method == "GET":
            if flag(request.query.get("watch")):
                return await self._watch(request, target)
            return self._get(request, target)
        if method == "PUT":
            return self._replace(request, target, raw)
        if method == "PATCH":
            return self._patch(request, target, raw)
        if method == "DELETE" and sub is None:
            return deletes.delete(request, target, raw, store=self.store)
        raise status.method_not_allowed()

    # --- reads -------------------------------------------------------------------------------

    def _render_one(self, request: web.Request, target: Target, obj: Obj) -> web.Response:
        output = negotiation.negotiate(request.headers.get("Accept"))
        if output.shape is Shape.TABLE:
            table = self._table(request, target, [obj], output)
            table["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
            return respond(table)
        return respond(watch.render_object(output, obj))

    def _table(
        self, request: web.Request, target: Target, objects: list[Obj], output: Output
    ) -> dict[str, Any]:
        return negotiation.table(
            target.rt,
            objects,
            now=self.clock.now(),
            include_object=request.query.get("includeObject", "Metadata"),
            output=output,
        )

    def _get(self, request: web.Request, target: Target) -> web.Response:
        assert target.name is not None
        obj = self.store.peek(target.rt, target.namespace, target.name)
        if obj is None:
            raise status.not_found(target.rt.plural, target.rt.group, target.name)
        return self._render_one(request, target, obj)

    def _list(self, request: web.Request, target: Target) -> web.Response:
        rt = target.rt
        output = negotiation.negotiate(request.headers.get("Accept"))
        labels = parse_labels(request.query.get("labelSelector"))
        fields = parse_fields(request.query.get("fieldSelector"), rt)
        limit = int_param(request, "limit") or 0
        token = request.query.get("continue")
        list_rv, after = _decode_continue(token) if token else (self.store.resource_version, None)
        scan = self.store.scan(rt, target.namespace, labels=labels, fields=fields, after=after)
        items: list[Obj] = []
        meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
        for obj in scan:
            if limit and len(items) == limit:
                last = items[-1]["metadata"]
                meta["continue"] = _encode_continue(
                    list_rv, last.get("namespace", ""), last["name"]
                )
                if not request.query.get("labelSelector") and not request.query.get(
                    "fieldSelector"
                ):
                    meta["remainingItemCount"] = 1 + sum(1 for _ in scan)
                break
            items.append(obj)
        if output.shape is Shape.TABLE:
            table = self._table(request, target, items, output)
            table["metadata"] = meta
            return respond(table)
        if output.shape is Shape.METADATA:
            return respond(
                {
                    "kind": "PartialObjectMetadataList",
                    "apiVersion": output.meta_api_version,
                    "metadata": meta,
                    "items": [negotiation.partial_metadata(o, output) for o in items],
                }
            )
        return respond(
            {
                "kind": f"{rt.kind}List",
                "apiVersion": rt.api_version,
                "metadata": meta,
                "items": [without_type(o) for o in items],
            }
        )

    async def _watch(self, request: web.Request, target: Target) -> web.StreamResponse:
        rt = target.rt
        output = negotiation.negotiate(request.headers.get("Accept"))
        timeout = int_param(request, "timeoutSeconds")
        spec = watch.WatchSpec(
            rt=rt,
            namespace=target.namespace,
            labels=parse_labels(request.query.get("labelSelector")),
            fields=parse_fields(request.query.get("fieldSelector"), rt),
            resource_version=request.query.get("resourceVersion", ""),
            timeout=float(timeout) if timeout else None,
            bookmarks=flag(request.query.get("allowWatchBookmarks")),
            send_initial_events=flag(request.query.get("sendInitialEvents")),
            output=output,
            name=target.name,
        )

        def render(obj: Obj, *, first: bool) -> dict[str, Any]:  # noqa: ARG001 - a Renderer
            if output.shape is not Shape.TABLE:
                return watch.render_object(output, obj)
            table = self._table(request, target, [obj], output)
            table["metadata"] = {"resourceVersion": obj["metadata"]["resourceVersion"]}
            return table

        return await watch.serve(
            request,
            store=self.store,
            hub=self.hub,
            spec=spec,
            render=render,
            bookmark_interval=self.bookmark_interval,
            expire=self.expire_watch(),
        )

    # --- writes ------------------------------------------------------------------------------

    def _body(self, request: web.Request, target: Target, raw: bytes) -> Obj:
        body = negotiation.parse_body(raw, request.headers.get("Content-Type", ""))
        if not isinstance(body, dict):
            raise status.bad_request("Object 'Kind' is missing in the request body")
        rt = target.rt
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != rt.api_version:
            raise status.bad_request(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise status.bad_request(
                f'{kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
            )
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be a JSON object")
        if rt.namespaced:
            ns = meta.get("namespace")
            if ns and ns != target.namespace:
                raise status.bad_request(
                    "the namespace of the provided object does not match the namespace sent "
                    "on the request"
                )
            meta["namespace"] = target.namespace
        if target.name is not None:
            name = meta.get("name")
            if name and name != target.name:
                raise status.bad_request(
                    f"the name of the object ({name}) does not match the name on the URL "
                    f"({target.name})"
                )
            meta["name"] = target.name
        return body

    def _create(self, request: web.Request, target: Target, raw: bytes) -> web.Response:
        body = self._body(request, target, raw)
        reset = _STATUS_RESET_ON_CREATE.get(target.rt.kind)
        if reset is not None:
            body["status"] = clone(reset)
        if target.rt is crds.CRD:
            crds.check_name(body)
            body["status"] = crds.established(body, at=rfc3339(self.clock.now()))
        created = self.store.create(target.rt, body, dry_run=dry_run(request))
        return respond(created, code=201)

    def _replace(self, request: web.Request, target: Target, raw: bytes) -> web.Response:
        body = self._body(request, target, raw)
        updated = self.store.replace(
            target.rt, body, subresource=target.subresource, dry_run=dry_run(request)
        )
        return respond(updated)

    def _patch(self, request: web.Request, target: Target, raw: bytes) -> web.Response:
        assert target.name is not None
        rt = target.rt
        existing = self.store.get(rt, target.namespace, target.name)
        content_type = request.headers.get("Content-Type", "")
        if rt.custom and patching.media_type(content_type) == patching.STRATEGIC_PATCH:
            # Custom resources have no patch-merge keys: the apiserver refuses strategic merge.
            accepted = [patching.JSON_PATCH, patching.MERGE_PATCH, patching.APPLY_PATCH]
            raise status.unsupported_media_type(content_type, accepted)
        patched = patching.apply_patch(
            rt.kind, existing, raw, request.headers.get("Content-Type", "")
        )
        meta = patched.get("metadata")
        if not isinstance(meta, dict):
            raise status.bad_request("metadata must be a JSON object")
        if meta.get("name") != target.name:
            raise status.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the "
                f"URL ({target.name})"
            )
        if rt.namespaced and meta.get("namespace") != target.namespace:
            raise status.bad_request(
                "the namespace of the provided object does not match the namespace sent on the "
                "request"
            )
        patched["apiVersion"], patched["kind"] = rt.api_version, rt.kind
        updated = self.store.replace(
            rt, patched, subresource=target.subresource, dry_run=dry_run(request)
        )
        return respond(updated)

    def _scale(self, request: web.Request, target: Target, raw: bytes) -> web.Response:
        assert target.name is not None
        rt, method = target.rt, request.method
        if method not in ("GET", "PUT", "PATCH"):
            raise status.method_not_allowed()
        obj = self.store.get(rt, target.namespace, target.name)
        if method == "GET":
            return respond(patching.to_scale(obj))
        if method == "PUT":
            scale = negotiation.parse_body(raw, request.headers.get("Content-Type", ""))
            if isinstance(scale, dict):
                name = (scale.get("metadata") or {}).get("name")
                if name and name != target.name:
                    raise status.bad_request(
                        f"the name of the object ({name}) does not match the name on the URL "
                        f"({target.name})"
                    )
        elif method == "PATCH":
            content_type = request.headers.get("Content-Type", "")
            if patching.media_type(content_type) == patching.STRATEGIC_PATCH:
                content_type = patching.MERGE_PATCH  # a Scale has no lists: the same result
            scale = patching.apply_patch("Scale", patching.to_scale(obj), raw, content_type)
        else:
            raise status.method_not_allowed()
        updated = self.store.replace(rt, patching.from_scale(obj, scale), dry_run=dry_run(request))
        return respond(patching.to_scale(updated))


def _encode_continue(rv: int, namespace: str, name: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": [namespace, name]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        namespace, name = data["start"]
        return int(data["rv"]), (str(namespace), str(name))
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise status.bad_request(f"continue key is not valid: {token}") from None
