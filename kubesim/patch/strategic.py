"""Kubernetes strategic merge patch (``application/strategic-merge-patch+json``).

kubectl ``set image``, ``apply``, ``edit`` and the Python client's ``patch_*`` calls all send
strategic merge patches, and the result must match the real server's element by element:
containers merge by name, ``$setElementOrder`` fixes the order, new elements come first unless
ordered, ``null`` deletes. This follows ``k8s.io/apimachinery/pkg/util/strategicpatch/patch.go``
(``mergeMap``, ``mergeSlice``, ``normalizeElementOrder``) with the server's options
(``MergeParallelList`` and ``IgnoreUnmatchedNulls``), including its error wording and codes.
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.api.status import ApiError, bad_request
from kubesim.patch.strategic_schema import Meta, schema_for

JSON = dict[str, Any]

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
SET_ORDER = "$setElementOrder/"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


def strategic_merge(kind: str, original: JSON, patch: JSON) -> JSON:
    """Apply ``patch`` to a copy of ``original`` using ``kind``'s patch metadata."""
    if not isinstance(patch, dict):
        raise bad_request("invalid JSON document")
    return _merge_map(copy.deepcopy(original), copy.deepcopy(patch), schema_for(kind))


def _unknown(message: str) -> ApiError:
    # Plain Go errors from strategicpatch reach the client as 500 with an empty reason.
    return ApiError(500, "", message)


def go_format(value: Any) -> str:
    """Go's ``%v`` of a decoded JSON value (``map[image:x name:y]``), used in error text."""
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_format(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


# --- maps -----------------------------------------------------------------------------------


def _merge_map(original: JSON, patch: JSON, meta: Meta) -> JSON:
    if PATCH in patch:
        directive = patch[PATCH]
        if directive == "replace":
            del patch[PATCH]
            return patch
        if directive == "delete":
            return {}
        raise _unknown(f"unknown patch type: {directive} in map: {go_format(patch)}")
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, meta)
    for raw_key, value in list(patch.items()):
        is_delete_list = raw_key.startswith(DELETE_PRIMITIVE)
        if not is_delete_list and raw_key.startswith("$"):
            continue
        key = raw_key[len(DELETE_PRIMITIVE) :] if is_delete_list else raw_key
        if value is None:
            original.pop(key, None)
            continue
        child = meta.child(key)
        if key not in original:
            if not is_delete_list:
                original[key] = _fresh(value, child)
            continue
        current = original[key]
        if _kind(current) != _kind(value):
            if not is_delete_list:
                original[key] = _fresh(value, child)
            continue
        if isinstance(current, dict):
            original[key] = value if child.replace else _merge_map(current, value, child)
        elif isinstance(current, list):
            original[key] = _merge_list(current, value, child, is_delete_list=is_delete_list)
        else:
            original[key] = value
    return original


def _fresh(value: Any, meta: Meta) -> Any:
    """A patch value with no counterpart in the original: nulls and directives dropped."""
    if isinstance(value, dict):
        return value if meta.replace else _merge_map({}, value, meta)
    if isinstance(value, list) and meta.merge:
        return [
            _merge_map({}, item, meta) if isinstance(item, dict) else item
            for item in value
            if not (isinstance(item, dict) and PATCH in item)
        ]
    return value


def _apply_retain_keys(original: JSON, patch: JSON) -> None:
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if retain is None:
        retain = []
    if not isinstance(retain, list):
        raise bad_request("invalid patch format of retainKeys")
    keep = set(retain)
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_PRIMITIVE, SET_ORDER)):
            continue
        if key not in keep:
            raise bad_request("invalid patch format of retainKeys")
    for key in list(original):
        if key not in keep:
            del original[key]


# --- lists ----------------------------------------------------------------------------------


def _merge_list(
    original: list[Any], patch: list[Any], meta: Meta, *, is_delete_list: bool
) -> list[Any]:
    if meta.merge or is_delete_list:
        return _merge_slice(original, patch, meta, is_delete_list=is_delete_list)
    return patch


def _element_kind(original: list[Any], patch: list[Any]) -> str:
    kinds = {_kind(v) for v in (*original, *patch)}
    if "slice" in kinds:
        raise ApiError(422, "", "lists of lists are not supported")
    return "map" if "map" in kinds else "scalar"


def _merge_slice(
    original: list[Any], patch: list[Any], meta: Meta, *, is_delete_list: bool
) -> list[Any]:
    if not original and not patch:
        return original
    key = meta.merge_key
    if _element_kind(original, patch) != "map":
        if is_delete_list:
            return [v for v in original if v not in patch]
        merged = _dedupe([*original, *patch])
        patch_items = [v for v in merged if v in patch]
        server_only = [v for v in merged if v not in patch]
        return _normalize_order(patch_items, server_only, patch, original, "")
    if not key:
        raise _unknown("cannot merge lists without merge key")
    original, patch = _special_elements(original, patch, key)
    merged = _merge_by_key(original, patch, key, meta)
    wanted = {_key_of(v, key) for v in patch}
    patch_items = [v for v in merged if _key_of(v, key) in wanted]
    server_only = [v for v in merged if _key_of(v, key) not in wanted]
    return _normalize_order(patch_items, server_only, patch, original, key)


def _dedupe(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _key_of(item: Any, key: str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise _unknown(f"map: {go_format(item)} does not contain declared merge key: {key}")
    value = item[key]
    # Merge-key values compare as Go values; JSON numbers are all float64 there.
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _special_elements(
    original: list[Any], patch: list[Any], key: str
) -> tuple[list[Any], list[Any]]:
    """``mergeSliceWithSpecialElements``: element-level ``$patch`` directives."""
    plain: list[Any] = []
    replace = False
    for item in patch:
        if not isinstance(item, dict) or PATCH not in item:
            plain.append(item)
            continue
        directive = item[PATCH]
        if directive == "delete":
            target = _key_of(item, key)
            original = [
                v for v in original if not (isinstance(v, dict) and _key_of(v, key) == target)
            ]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise _unknown("merging lists cannot yet be specified in the patch")
        else:
            raise _unknown(f"unknown patch type: {directive} in map: {go_format(item)}")
    if replace:
        return plain, []
    return original, plain


def _merge_by_key(original: list[Any], patch: list[Any], key: str, meta: Meta) -> list[Any]:
    merged = list(original)
    for item in patch:
        wanted = _key_of(item, key)
        for index, existing in enumerate(merged):
            if isinstance(existing, dict) and _key_of(existing, key) == wanted:
                merged[index] = _merge_map(existing, item, meta)
                break
        else:
            merged.append(_merge_map({}, item, meta))
    return merged


# --- ordering (normalizeElementOrder / mergeSortedSlice) -----------------------------------


def _index(order: list[Any], item: Any, key: str) -> int:
    for i, candidate in enumerate(order):
        if key:
            if (
                isinstance(candidate, dict)
                and key in candidate
                and _key_of(candidate, key) == _key_of(item, key)
            ):
                return i
        elif candidate == item:
            return i
    return -1


def _sorted_by(items: list[Any], order: list[Any], key: str) -> list[Any]:
    def rank(item: Any) -> int:
        position = _index(order, item, key)
        return position if position >= 0 else len(order)

    return sorted(items, key=rank)


def _normalize_order(
    patch_items: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    key: str,
) -> list[Any]:
    """Patch items in patch order; server-only items slotted in by their original position.

    An item new to the server has no original position, so it sorts ahead of the server-only
    items that follow it: a merged-in container lands first unless ``$setElementOrder`` says
    otherwise (upstream ``mergeSortedSlice``).
    """
    right = _sorted_by(patch_items, patch_order, key)
    left = _sorted_by(server_only, server_order, key)
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = _index(server_order, left[i], key), _index(server_order, right[j], key)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _merge_ordered_lists(original: JSON, patch: JSON, meta: Meta) -> None:
    """``mergePatchIntoOriginal``: lists that come with a ``$setElementOrder`` directive."""
    for directive in [k for k in patch if k.startswith(SET_ORDER)]:
        order = patch.pop(directive)
        name = directive[len(SET_ORDER) :]
        if not isinstance(order, list):
            raise bad_request("invalid patch format of setElementOrder list")
        child = meta.child(name)
        key = child.merge_key
        if key:
            for item in order:
                _key_of(item, key)
        current = original.get(name)
        changes = patch.get(name)
        if current is not None and not isinstance(current, list):
            continue
        if changes is not None and not isinstance(changes, list):
            raise bad_request("invalid patch format of setElementOrder list")
        _check_order(changes or [], order, key)
        if current is None and changes is None:
            continue
        if changes is None:
            merged = list(current or [])
        elif current is None:
            merged = _fresh(changes, child)
        else:
            merged = _merge_list(current, changes, child, is_delete_list=False)
        patch.pop(name, None)
        if key:
            wanted = {_key_of(v, key) for v in order}
            patch_items = [v for v in merged if _key_of(v, key) in wanted]
            server_only = [v for v in merged if _key_of(v, key) not in wanted]
        else:
            patch_items = [v for v in merged if v in order]
            server_only = [v for v in merged if v not in order]
        original[name] = _normalize_order(patch_items, server_only, order, current or [], key)


def _check_order(changes: list[Any], order: list[Any], key: str) -> None:
    """``validatePatchWithSetOrderList``: patch items must appear in the order list, in order."""
    items = [c for c in changes if not (isinstance(c, dict) and PATCH in c)]
    if not items or not order:
        return
    p = o = 0
    while p < len(items) and o < len(order):
        same = _key_of(items[p], key) == _key_of(order[o], key) if key else items[p] == order[o]
        if same:
            p += 1
        o += 1
    if p < len(items):
        raise _unknown(
            f"The order in patch list:\n{go_format(changes)}\n doesn't match {SET_ORDER} list:\n"
            f"{go_format(order)}\n"
        )
