"""Impersonation: ``Impersonate-User``/``-Group``/``-Uid``/``-Extra-*`` headers, each checked as the
``impersonate`` verb for the caller, then the request runs as the identity they name.

Follows ``k8s.io/apiserver/pkg/endpoints/filters/impersonation.go``: one check per header value
(user or service account first, then groups, extras, uid); a service account without groups gets
its fixed groups; any user but anonymous gets ``system:authenticated`` unless a group already says
(un)authenticated.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from aiohttp import web
from multidict import CIMultiDictProxy

from kubesim.apiserver.authz import forbidden
from kubesim.auth import rbac
from kubesim.auth.attributes import Attributes
from kubesim.auth.identity import (
    AUTHENTICATED,
    UserInfo,
    service_account_groups,
    split_service_account,
)

USER = "Impersonate-User"
GROUP = "Impersonate-Group"
UID = "Impersonate-Uid"
EXTRA = "Impersonate-Extra-"
_AUTHN_GROUP = "authentication.k8s.io"
_AUTHN_VERSION = f"{_AUTHN_GROUP}/v1"
_UNAUTHENTICATED = "system:unauthenticated"

Authorize = Callable[[Attributes], rbac.Decision]
"""The authorizer's decision function (``Authorizer.authorize``)."""


def requested(headers: CIMultiDictProxy[str]) -> bool:
    """Whether the request asks to impersonate anyone."""
    return any(key.lower().startswith("impersonate-") for key in headers)


def _check(caller: UserInfo, authorize: Authorize, **attrs: str) -> None:
    asked = Attributes(user=caller, verb="impersonate", resource_request=True, **attrs)
    decision = authorize(asked)
    if not decision.allowed:
        raise forbidden(asked, decision.reason)


def _extras(headers: CIMultiDictProxy[str]) -> dict[str, list[str]]:
    """``Impersonate-Extra-KEY`` values by key (lower-case, percent-decoded)."""
    extras: dict[str, list[str]] = {}
    for key, value in headers.items():
        if key.lower().startswith(EXTRA.lower()):
            extras.setdefault(unquote(key[len(EXTRA) :].lower()), []).append(value)
    return extras


def _without_user(
    groups: list[str], extras: dict[str, list[str]], uid: str, uri: str
) -> web.HTTPInternalServerError:
    """buildImpersonationRequests' error, which the filter answers as http.Error's plain 500
    (the requests printed as Go prints ``[]ObjectReference``)."""
    refs = [("Group", g, "", "") for g in groups]
    refs += [("UserExtra", v, _AUTHN_VERSION, k) for k, vs in extras.items() for v in vs]
    refs += [("UID", uid, _AUTHN_VERSION, "")] * bool(uid)
    listed = " ".join(
        f"{{{kind}  {name}  {version}  {path}}}" for kind, name, version, path in refs
    )
    return web.HTTPInternalServerError(
        text=f'Internal Server Error: "{uri}": requested [{listed}] without impersonating '
        "a user\n",  # http.Error ends the line
        headers={"X-Content-Type-Options": "nosniff"},
    )


def impersonate(
    caller: UserInfo, headers: CIMultiDictProxy[str], authorize: Authorize, *, uri: str
) -> UserInfo:
    """The identity the headers ask for, once ``caller`` may impersonate every part of it."""
    username = headers.get(USER, "")
    groups = list(headers.getall(GROUP, []))
    uid = headers.get(UID, "")
    extras = _extras(headers)
    if not username:
        raise _without_user(groups, extras, uid, uri)
    account = split_service_account(username)
    if account is not None:
        _check(caller, authorize, resource="serviceaccounts", namespace=account[0], name=account[1])
        if not groups:
            groups = list(service_account_groups(account[0]))
    else:
        _check(caller, authorize, resource="users", name=username)
    for group in headers.getall(GROUP, []):
        _check(caller, authorize, resource="groups", name=group)
    for key, values in extras.items():
        for value in values:
            _check(
                caller,
                authorize,
                api_group=_AUTHN_GROUP,
                resource="userextras",
                subresource=key,
                name=value,
            )
    if uid:
        _check(caller, authorize, api_group=_AUTHN_GROUP, resource="uids", name=uid)
    if username != "system:anonymous" and not {AUTHENTICATED, _UNAUTHENTICATED} & set(groups):
        groups.append(AUTHENTICATED)
    return UserInfo(
        name=username,
        uid=uid,
        groups=tuple(groups),
        extra=tuple((k, tuple(v)) for k, v in extras.items()),
    )
