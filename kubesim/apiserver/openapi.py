"""``/openapi/v3``: the paths of the served types, so ``kubectl create -f``/``apply -f`` work.

kubectl validates manifests by default (``--validate=strict``): it first reads the OpenAPI v3
document of the object's group-version to learn whether the server validates fields itself (the
PATCH operation takes a ``fieldValidation`` query parameter); when it cannot download the document
at all it refuses to send anything ("failed to download openapi"). A real server publishes full
schemas; this one publishes the operations with their ``x-kubernetes-group-version-kind`` and
parameters and leaves schemas open. kubectl then leaves validation to the server and, because
no strategic-merge body is advertised, computes ``apply`` patches from its compiled-in types.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import GROUP_VERSIONS, in_group_version
from kubesim.apiserver.discovery import SERVER_VERSION

PREFIX = "/openapi/v3"
_OBJECT = {"schema": {"type": "object"}}
APPLY = "application/apply-patch+yaml"


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "uniqueItems": True},
    }


_DRY_RUN = _query("dryRun", "When present, indicates that modifications should not be persisted.")
_FIELD_MANAGER = _query(
    "fieldManager", "A name associated with the actor or entity making changes."
)
_FIELD_VALIDATION = _query(
    "fieldValidation",
    "Instructs the server on how to handle objects in the request containing unknown or "
    "duplicate fields. Valid values are: Ignore, Warn, Strict.",
)


def _path_key(group: str, version: str) -> str:
    """``api/v1`` or ``apis/apps/v1``: how the index names a group-version."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _operation(rt: ResourceType, action: str, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{action}{rt.kind}",
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": rt.group,
            "version": rt.version,
            "kind": rt.kind,
        },
        "responses": {"200": {"description": "OK", "content": {"application/json": _OBJECT}}},
    }
    op.update(extra)
    return op


def _paths(rt: ResourceType) -> dict[str, Any]:
    base = f"/{_path_key(rt.group, rt.version)}"
    if rt.namespaced:
        base += "/namespaces/{namespace}"
    collection = f"{base}/{rt.plural}"
    write = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
    body = {"content": {"application/json": _OBJECT, "application/yaml": _OBJECT}}
    patches = ("application/json-patch+json", "application/merge-patch+json", APPLY)
    patch_body = {"content": dict.fromkeys(patches, _OBJECT)}
    return {
        collection: {
            "get": _operation(rt, "list"),
            "post": _operation(rt, "post", parameters=write, requestBody=body),
        },
        f"{collection}/{{name}}": {
            "get": _operation(rt, "get"),
            "put": _operation(rt, "put", parameters=write, requestBody=body),
            "patch": _operation(
                rt,
                "patch",
                parameters=[*write, _query("force", "Force is going to force Apply requests.")],
                requestBody=patch_body,
            ),
            "delete": _operation(rt, "delete", parameters=[_DRY_RUN]),
        },
    }


def document(group: str, version: str) -> dict[str, Any] | None:
    """The OpenAPI v3 document of one served group-version, or None."""
    if (group, version) not in GROUP_VERSIONS:
        return None
    paths: dict[str, Any] = {}
    for rt in in_group_version(group, version):
        paths.update(_paths(rt))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
        "paths": paths,
        "components": {"schemas": {}},
    }


def _hash(doc: dict[str, Any]) -> str:
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha512(raw).hexdigest().upper()[:128]


def index() -> dict[str, Any]:
    """``/openapi/v3``: every group-version's document URL (the hash busts kubectl's cache)."""
    paths = {}
    for group, version in GROUP_VERSIONS:
        doc = document(group, version)
        assert doc is not None
        key = _path_key(group, version)
        paths[key] = {"serverRelativeURL": f"{PREFIX}/{key}?hash={_hash(doc)}"}
    return {"paths": paths}


def lookup(path: str) -> dict[str, Any] | None:
    """The document at an ``/openapi/v3...`` path, or None for a 404."""
    rest = path[len(PREFIX) :].strip("/")
    if not rest:
        return index()
    segments = rest.split("/")
    if segments[0] == "api" and len(segments) == 2:
        return document("", segments[1])
    if segments[0] == "apis" and len(segments) == 3:
        return document(segments[1], segments[2])
    return None
