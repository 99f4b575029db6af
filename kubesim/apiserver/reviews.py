"""The create-only review endpoints and TokenRequest, answered from the caller's identity.

``SelfSubjectAccessReview`` / ``SubjectAccessReview`` / ``LocalSubjectAccessReview`` ask the
authorizer; ``SelfSubjectRulesReview`` lists the caller's rules in a namespace;
``SelfSubjectReview`` (``kubectl auth whoami``) echoes the identity; ``serviceaccounts/NAME/token``
issues a token that authenticates as that service account. None of them is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from kubesim.admission import field_errors
from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.apiserver import negotiation
from kubesim.apiserver.authn import Authenticator
from kubesim.apiserver.authz import Authorizer
from kubesim.apiserver.routing import Target
from kubesim.apiserver.wire import respond
from kubesim.auth import rbac, tokens
from kubesim.auth.attributes import Attributes
from kubesim.auth.identity import UserInfo
from kubesim.storage.store import Store, rfc3339

JSON = dict[str, Any]
_MIN_TOKEN_SECONDS = 600
_MAX_TOKEN_SECONDS = 2**32
_DEFAULT_TOKEN_SECONDS = 3600


def _body(rt: ResourceType, raw: bytes, content_type: str) -> JSON:
    body = negotiation.parse_body(raw, content_type)
    if not isinstance(body, dict):
        raise status.bad_request("Object 'Kind' is missing in the request body")
    kind = body.get("kind")
    if kind and kind != rt.kind:
        raise status.bad_request(
            f'{kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
            f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
        )
    spec = body.get("spec")
    body["spec"] = spec if isinstance(spec, dict) else {}
    return body


def _invalid(rt: ResourceType, field: str, value: str, message: str) -> status.ApiError:
    return status.invalid(rt.kind, rt.group, "", [field_errors.invalid_raw(field, value, message)])


def _attributes(rt: ResourceType, spec: JSON, user: UserInfo) -> Attributes:
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if (resource is None) == (non_resource is None):
        raise _invalid(
            rt,
            "spec.resourceAttributes",
            '"null"' if resource is None else "...",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )
    if isinstance(non_resource, dict):
        return Attributes(
            user=user,
            verb=str(non_resource.get("verb", "")),
            resource_request=False,
            path=str(non_resource.get("path", "")),
        )
    asked = resource if isinstance(resource, dict) else {}
    return Attributes(
        user=user,
        verb=str(asked.get("verb", "")),
        resource_request=True,
        namespace=str(asked.get("namespace", "")),
        api_group=str(asked.get("group", "")),
        api_version=str(asked.get("version", "")),
        resource=str(asked.get("resource", "")),
        subresource=str(asked.get("subresource", "")),
        name=str(asked.get("name", "")),
    )


def _subject(rt: ResourceType, spec: JSON) -> UserInfo:
    user, groups = str(spec.get("user") or ""), [str(g) for g in spec.get("groups") or []]
    if not user and not groups:
        raise _invalid(rt, "spec.user", '""', "at least one of user or group must be specified")
    extra = spec.get("extra") or {}
    return UserInfo(
        name=user,
        uid=str(spec.get("uid") or ""),
        groups=tuple(groups),
        extra=tuple((str(k), tuple(str(v) for v in vs or [])) for k, vs in extra.items()),
    )


def _answer(rt: ResourceType, body: JSON, result: JSON) -> web.Response:
    meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    answer = {
        "kind": rt.kind,
        "apiVersion": rt.api_version,
        "metadata": {**(meta or {}), "creationTimestamp": None},
        "spec": body["spec"],
        "status": result,
    }
    if rt.kind == "SelfSubjectReview":
        answer.pop("spec")
    return respond(answer, code=201)


def _decision(decision: rbac.Decision) -> JSON:
    result: JSON = {"allowed": decision.allowed}
    if decision.reason:
        result["reason"] = decision.reason
    return result


def review(
    request: web.Request,
    target: Target,
    raw: bytes,
    *,
    user: UserInfo,
    authorizer: Authorizer,
) -> web.Response:
    """Answer a POST of one of the review kinds."""
    rt = target.rt
    if request.method != "POST" or target.name is not None:
        raise status.method_not_allowed()
    body = _body(rt, raw, request.headers.get("Content-Type", ""))
    spec = body["spec"]
    if rt.kind == "SelfSubjectReview":
        return _answer(rt, body, {"userInfo": user.to_json()})
    if rt.kind == "SelfSubjectAccessReview":
        attrs = _attributes(rt, spec, user)
        return _answer(rt, body, _decision(authorizer.authorize(attrs)))
    if rt.kind == "SelfSubjectRulesReview":
        namespace = str(spec.get("namespace") or "")
        # No shortcut for system:masters: its cluster-admin rules come from the bootstrap
        # binding, listed with the rest, as a real cluster lists them.
        resource, non_resource, error = rbac.rules_for(user, namespace, authorizer.objects)
        result: JSON = {
            "resourceRules": resource,
            "nonResourceRules": non_resource,
            "incomplete": bool(error),
        }
        if error:
            result["evaluationError"] = error
        return _answer(rt, body, result)
    subject = _subject(rt, spec)
    attrs = _attributes(rt, spec, subject)
    if rt.kind == "LocalSubjectAccessReview":
        if not attrs.resource_request:
            raise _invalid(
                rt, "spec.nonResourceAttributes", "...", "disallowed on this kind of request"
            )
        if attrs.namespace != target.namespace:
            raise _invalid(
                rt,
                "spec.resourceAttributes.namespace",
                f'"{attrs.namespace}"',
                "must match metadata.namespace",
            )
    return _answer(rt, body, _decision(authorizer.authorize(attrs)))


def token(
    request: web.Request,
    target: Target,
    raw: bytes,
    *,
    store: Store,
    authenticator: Authenticator,
) -> web.Response:
    """``POST serviceaccounts/NAME/token``: a TokenRequest answered with a fresh token."""
    if request.method != "POST":
        raise status.method_not_allowed()
    assert target.name is not None
    account = store.get(target.rt, target.namespace, target.name)
    body = negotiation.parse_body(raw, request.headers.get("Content-Type", ""))
    spec = (body.get("spec") if isinstance(body, dict) else None) or {}
    seconds = int(spec.get("expirationSeconds") or _DEFAULT_TOKEN_SECONDS)
    if seconds < _MIN_TOKEN_SECONDS or seconds > _MAX_TOKEN_SECONDS:
        detail = (
            "may not specify a duration less than 10 minutes"
            if seconds < _MIN_TOKEN_SECONDS
            else "may not specify a duration larger than 2^32 seconds"
        )
        cause = field_errors.invalid("spec.expirationSeconds", seconds, detail)
        raise status.invalid("TokenRequest", "authentication.k8s.io", target.name, [cause])
    audiences = tuple(str(a) for a in spec.get("audiences") or ()) or tokens.DEFAULT_AUDIENCES
    issued, expires = authenticator.issue(
        str(target.namespace),
        target.name,
        str(account["metadata"].get("uid", "")),
        audiences=audiences,
        seconds=seconds,
    )
    now = datetime.now(UTC)
    return respond(
        {
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {
                "name": target.name,
                "namespace": target.namespace,
                "creationTimestamp": rfc3339(now),
            },
            "spec": {
                "audiences": list(audiences),
                "expirationSeconds": seconds,
                "boundObjectRef": spec.get("boundObjectRef"),
            },
            "status": {
                "token": issued,
                "expirationTimestamp": rfc3339(datetime.fromtimestamp(expires, UTC)),
            },
        },
        code=201,
    )
