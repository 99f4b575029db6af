"""The RBAC authorizer: which bindings grant a user which rules, and whether one allows a request.

Follows ``plugin/pkg/auth/authorizer/rbac/rbac.go`` and ``pkg/registry/rbac/validation/rule.go``:
ClusterRoleBindings are visited first, then the RoleBindings of the request's namespace; the first
rule that allows ends the walk and names its binding in the reason; a binding whose role is missing
is an evaluation error, reported in the reason of a denial ("no opinion").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from kubesim.auth.attributes import Attributes
from kubesim.auth.identity import UserInfo, split_service_account

JSON = dict[str, Any]


class RbacObjects(Protocol):
    """Where the authorizer reads roles and bindings (the store, through the API server)."""

    def cluster_role_bindings(self) -> Iterable[JSON]:
        """Every ClusterRoleBinding."""
        ...

    def role_bindings(self, namespace: str) -> Iterable[JSON]:
        """The RoleBindings of one namespace."""
        ...

    def cluster_role(self, name: str) -> JSON | None:
        """One ClusterRole, or None."""
        ...

    def role(self, namespace: str, name: str) -> JSON | None:
        """One Role, or None."""
        ...


@dataclass(frozen=True, slots=True)
class Decision:
    """An authorizer's answer: allowed, or no opinion with the reason (maybe empty)."""

    allowed: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Grant:
    """The rules one binding gives a user, with how the reason names it."""

    source: str
    rules: tuple[JSON, ...]


def _strings(rule: JSON, key: str) -> list[str]:
    values = rule.get(key) or []
    return [str(v) for v in values] if isinstance(values, list) else []


def _has(values: list[str], wanted: str) -> bool:
    return "*" in values or wanted in values


def _url_allows(path: str, rule: JSON) -> bool:
    for url in _strings(rule, "nonResourceURLs"):
        if url in ("*", path) or (url.endswith("*") and path.startswith(url[:-1])):
            return True
    return False


def _resource_allows(attrs: Attributes, rule: JSON) -> bool:
    if not _has(_strings(rule, "apiGroups"), attrs.api_group):
        return False
    combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    resources = _strings(rule, "resources")
    if not (
        "*" in resources
        or combined in resources
        or (attrs.subresource and f"*/{attrs.subresource}" in resources)
    ):
        return False
    names = _strings(rule, "resourceNames")
    return not names or attrs.name in names


def rule_allows(attrs: Attributes, rule: JSON) -> bool:
    """``RuleAllows``: verb, group, resource (with ``*/sub``) and name, or a non-resource URL."""
    if not _has(_strings(rule, "verbs"), attrs.verb):
        return False
    if attrs.resource_request:
        return _resource_allows(attrs, rule)
    return _url_allows(attrs.path, rule)


def applies_to(user: UserInfo, subject: JSON, binding_namespace: str) -> bool:
    """``appliesToUser``: a User by name, a Group by membership, a ServiceAccount by its name."""
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return user.name == name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and split_service_account(user.name) == (namespace, name)
    return False


def describe_subject(subject: JSON, binding_namespace: str) -> str:
    """How the reason names the subject (``User "alice"``, ``ServiceAccount "bot/ns"``)."""
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        return f'{kind} "{name}/{subject.get("namespace") or binding_namespace}"'
    return f'{kind} "{name}"'


def _role_rules(
    objects: RbacObjects, ref: JSON, namespace: str
) -> tuple[tuple[JSON, ...], str | None]:
    kind, name = ref.get("kind"), str(ref.get("name", ""))
    if kind == "ClusterRole":
        role = objects.cluster_role(name)
        missing = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
    elif kind == "Role" and namespace:
        role = objects.role(namespace, name)
        missing = f'role.rbac.authorization.k8s.io "{name}" not found'
    else:
        return (), f"unsupported role reference kind: {kind!r}"
    if role is None:
        return (), missing
    rules = role.get("rules") or []
    return tuple(r for r in rules if isinstance(r, dict)), None


def grants(user: UserInfo, namespace: str, objects: RbacObjects) -> Iterator[Grant | str]:
    """``VisitRulesFor``: each binding's grant to ``user``, or an evaluation error (a str)."""
    for binding in objects.cluster_role_bindings():
        subject = next((s for s in binding.get("subjects") or [] if applies_to(user, s, "")), None)
        if subject is None:
            continue
        ref = binding.get("roleRef") or {}
        rules, error = _role_rules(objects, ref, "")
        if error is not None:
            yield error
            continue
        name = binding["metadata"]["name"]
        source = (
            f'ClusterRoleBinding "{name}" of {ref.get("kind")} "{ref.get("name")}" '
            f"to {describe_subject(subject, '')}"
        )
        yield Grant(source, rules)
    if not namespace:
        return
    for binding in objects.role_bindings(namespace):
        subject = next(
            (s for s in binding.get("subjects") or [] if applies_to(user, s, namespace)), None
        )
        if subject is None:
            continue
        ref = binding.get("roleRef") or {}
        rules, error = _role_rules(objects, ref, namespace)
        if error is not None:
            yield error
            continue
        name = binding["metadata"]["name"]
        source = (
            f'RoleBinding "{name}/{namespace}" of {ref.get("kind")} "{ref.get("name")}" '
            f"to {describe_subject(subject, namespace)}"
        )
        yield Grant(source, rules)


def _aggregate(errors: list[str]) -> str:
    return errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"


def authorize(attrs: Attributes, objects: RbacObjects) -> Decision:
    """Whether RBAC allows ``attrs``; a denial's reason lists evaluation errors, if any."""
    errors: list[str] = []
    for grant in grants(attrs.user, attrs.namespace, objects):
        if isinstance(grant, str):
            errors.append(grant)
            continue
        if any(rule_allows(attrs, rule) for rule in grant.rules):
            return Decision(allowed=True, reason=f"RBAC: allowed by {grant.source}")
    return Decision(allowed=False, reason=f"RBAC: {_aggregate(errors)}" if errors else "")


def rules_for(
    user: UserInfo, namespace: str, objects: RbacObjects
) -> tuple[list[JSON], list[JSON], str]:
    """``RulesFor``: (resource rules, non-resource rules, evaluation error) of ``user`` there."""
    resource: list[JSON] = []
    non_resource: list[JSON] = []
    errors: list[str] = []
    for grant in grants(user, namespace, objects):
        if isinstance(grant, str):
            errors.append(grant)
            continue
        for rule in grant.rules:
            if rule.get("nonResourceURLs"):
                non_resource.append(
                    {"verbs": _strings(rule, "verbs"), "nonResourceURLs": rule["nonResourceURLs"]}
                )
            if rule.get("resources"):
                entry: JSON = {
                    "verbs": _strings(rule, "verbs"),
                    "apiGroups": _strings(rule, "apiGroups"),
                    "resources": _strings(rule, "resources"),
                }
                if rule.get("resourceNames"):
                    entry["resourceNames"] = _strings(rule, "resourceNames")
                resource.append(entry)
    return resource, non_resource, _aggregate(errors) if errors else ""


def forbidden_message(attrs: Attributes, reason: str = "") -> str:
    """The 403 Status message (``responsewriters.Forbidden`` + ``errors.NewForbidden``)."""
    who = f'User "{attrs.user.name}"'
    if not attrs.resource_request:
        detail = f'{who} cannot {attrs.verb} path "{attrs.path}"'
    else:
        resource = attrs.resource
        if attrs.subresource:
            resource = f"{resource}/{attrs.subresource}"
        head = f'{who} cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}"'
        scope = (
            f'in the namespace "{attrs.namespace}"' if attrs.namespace else "at the cluster scope"
        )
        detail = f"{head} {scope}"
    if reason:
        detail = f"{detail}: {reason}"
    if not attrs.resource_request or not attrs.resource:
        return f"forbidden: {detail}"
    qualified = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    if attrs.name:
        return f'{qualified} "{attrs.name}" is forbidden: {detail}'
    return f"{qualified} is forbidden: {detail}"


def forbidden_details(attrs: Attributes) -> JSON:
    """The 403 Status ``details`` (``group``, ``kind`` = the resource, ``name`` when named)."""
    details: JSON = {}
    if attrs.resource_request:
        if attrs.name:
            details["name"] = attrs.name
        if attrs.api_group:
            details["group"] = attrs.api_group
        details["kind"] = attrs.resource
    return details
