"""PATCH bodies (JSON patch, merge patch, strategic merge patch) and the autoscaling/v1 Scale view.

Error codes follow ``apiserver/pkg/endpoints/handlers/patch.go``: an undecodable patch is a 400,
a JSON patch that does not apply to the object is a 422.
"""

from __future__ import annotations

import json
from typing import Any

import jsonpatch
import jsonpointer

from kubesim.admission.validation import validate
from kubesim.api import status
from kubesim.patch.strategic import strategic_merge
from kubesim.storage.jsoncopy import clone, copied

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_PATCH]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = clone(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def media_type(content_type: str) -> str:
    """The bare media type of a Content-Type header."""
    return content_type.split(";", 1)[0].strip().lower()


def apply_patch(
    kind: str, original: dict[str, Any], raw: bytes, content_type: str
) -> dict[str, Any]:
    """The object after applying a PATCH body of ``content_type`` to ``original``."""
    media = media_type(content_type)
    if media not in PATCH_TYPES or media == APPLY_PATCH:
        raise status.unsupported_media_type(content_type, PATCH_TYPES)
    try:
        patch = json.loads(raw or b"null")
    except ValueError as err:
        raise status.bad_request(f"error decoding patch: {err}") from None
    if media == JSON_PATCH:
        result = _json_patch(original, patch)
    elif not isinstance(patch, dict):
        raise status.bad_request(
            f"json: cannot unmarshal {type(patch).__name__} into Go value of type "
            "map[string]interface {}"
        )
    elif media == MERGE_PATCH:
        result = merge_patch(original, patch)
    else:
        result = strategic_merge(kind, original, patch)
    if not isinstance(result, dict):
        raise status.bad_request("the patched object is not a JSON object")
    return result


def _json_patch(original: dict[str, Any], patch: Any) -> Any:
    if not isinstance(patch, list):
        raise status.bad_request(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        )
    try:
        compiled = jsonpatch.JsonPatch(patch)
    except (jsonpatch.InvalidJsonPatch, TypeError) as err:
        raise status.bad_request(str(err)) from None
    try:
        return compiled.apply(clone(original))
    except jsonpatch.InvalidJsonPatch as err:
        raise status.bad_request(str(err)) from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as err:
        raise status.ApiError(422, "Invalid", str(err)) from None


def selector_string(selector: dict[str, Any] | None) -> str:
    """``metav1.LabelSelectorAsSelector(sel).String()``: how Scale.status.selector reads."""
    if not selector:
        return ""
    parts: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        parts.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op, key)
        parts.append((key, text))
    return ",".join(text for _, text in sorted(parts))


def to_scale(obj: dict[str, Any]) -> dict[str, Any]:
    """The ``autoscaling/v1`` Scale of a Deployment or ReplicaSet."""
    meta = obj["metadata"]
    scale_meta = {
        k: meta[k]
        for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
        if k in meta
    }
    spec, observed = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": int(spec.get("replicas", 1))},
        "status": {
            "replicas": int(observed.get("replicas", 0)),
            "selector": selector_string(spec.get("selector")),
        },
    }


def from_scale(obj: dict[str, Any], scale: Any) -> dict[str, Any]:
    """The object with the Scale's replicas, carrying the Scale's resourceVersion precondition."""
    if not isinstance(scale, dict):
        raise status.bad_request("the body of a Scale must be a JSON object")
    name = obj["metadata"]["name"]
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise status.bad_request(
            "json: cannot unmarshal into Go struct field ScaleSpec.spec.replicas of type int32"
        )
    causes = validate(
        "Scale", {**scale, "metadata": {**(scale.get("metadata") or {}), "name": name}}
    )
    if causes:
        raise status.invalid("Scale", "autoscaling", name, causes)
    updated = copied(obj)
    updated.setdefault("spec", {})["replicas"] = replicas
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    if rv:
        updated["metadata"]["resourceVersion"] = str(rv)
    else:
        updated["metadata"].pop("resourceVersion", None)
    return updated
