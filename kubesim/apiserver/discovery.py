"""Discovery documents (/version, /api, /apis, per group-version lists) built from the registry.

kubectl asks for aggregated discovery (apidiscovery.k8s.io/v2) first; both that and the legacy
``APIVersions``/``APIGroupList`` forms are served so kubectl, client-go and the Python
DynamicClient each get the shape they ask for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import REGISTRY, group_versions, in_group_version

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:03:31Z",
    "goVersion": "go1.23.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_SUBRESOURCE_VERBS = {
    "status": ("get", "patch", "update"),
    "scale": ("get", "patch", "update"),
    "token": ("create",),
}


def _group_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def _subresource_kind(rt: ResourceType, sub: str) -> tuple[str, str, str]:
    """(group, version, kind) a subresource answers with."""
    if sub == "scale":
        return "autoscaling", "v1", "Scale"
    if sub == "token":
        return "authentication.k8s.io", "v1", "TokenRequest"
    return rt.group, rt.version, rt.kind


def api_versions(server_address: str) -> dict[str, Any]:
    """``/api``: the legacy ``APIVersions``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _groups(served: Sequence[ResourceType]) -> list[str]:
    return list(dict.fromkeys(g for g, _ in group_versions(served) if g))


def api_group(group: str, served: Sequence[ResourceType] = REGISTRY) -> dict[str, Any] | None:
    """``/apis/{group}``: one ``APIGroup``, or None when not served."""
    versions = [v for g, v in group_versions(served) if g == group]
    if not group or not versions:
        return None
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": listed,
        "preferredVersion": listed[0],
    }


def api_group_list(served: Sequence[ResourceType] = REGISTRY) -> dict[str, Any]:
    """``/apis``: the legacy ``APIGroupList``."""
    groups = []
    for group in _groups(served):
        found = api_group(group, served)
        assert found is not None
        found.pop("kind")
        found.pop("apiVersion")
        groups.append(found)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list(
    group: str, version: str, served: Sequence[ResourceType] = REGISTRY
) -> dict[str, Any] | None:
    """``/api/v1`` or ``/apis/{group}/{version}``: an ``APIResourceList``, or None."""
    types = in_group_version(group, version, served)
    if not types:
        return None
    resources: list[dict[str, Any]] = []
    for rt in types:
        entry: dict[str, Any] = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(rt.verbs),
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            sub_group, sub_version, sub_kind = _subresource_kind(rt, sub)
            sub_entry: dict[str, Any] = {
                "name": f"{rt.plural}/{sub}",
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": sub_kind,
                "verbs": list(_SUBRESOURCE_VERBS.get(sub, ("get",))),
            }
            if sub_group != rt.group or sub_version != rt.version:
                sub_entry["group"], sub_entry["version"] = sub_group, sub_version
            resources.append(sub_entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": _group_version(group, version),
        "resources": resources,
    }


def _aggregated_resource(rt: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    if rt.subresources:
        subs = []
        for sub in rt.subresources:
            g, v, k = _subresource_kind(rt, sub)
            subs.append(
                {
                    "subresource": sub,
                    "responseKind": {"group": g, "version": v, "kind": k},
                    "verbs": list(_SUBRESOURCE_VERBS.get(sub, ("get",))),
                }
            )
        entry["subresources"] = subs
    return entry


def aggregated(*, core: bool, served: Sequence[ResourceType] = REGISTRY) -> dict[str, Any]:
    """``/api`` (core) or ``/apis`` as an ``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``."""
    names = [""] if core else _groups(served)
    items = []
    for group in names:
        versions = []
        for g, version in group_versions(served):
            if g != group:
                continue
            versions.append(
                {
                    "version": version,
                    "resources": [
                        _aggregated_resource(rt) for rt in in_group_version(g, version, served)
                    ],
                    "freshness": "Current",
                }
            )
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": versions})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def wants_aggregated(accept: str) -> bool:
    """Whether an Accept header asks for aggregated discovery v2 (before any other type)."""
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=APIGroupDiscoveryList" in params and "v=v2" in params:
            return True
        if part.split(";")[0].strip() in ("application/json", "*/*") and not any(
            p.startswith("as=") for p in params
        ):
            return False
    return False
