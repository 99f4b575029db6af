"""Turn the Kubernetes client's exceptions into the bot's errors, each one plain sentence.

The API server explains itself in a ``Status`` body; we keep its words where they help (409,
422) and rephrase where chat users need more context: a 403 names the permission the bot's own
identity lacks, a 404 names what was missing and where, and each network failure says what
happened (refused, unknown host, TLS handshake, dropped, or how long the bot waited) instead of
dumping urllib3's retry chain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException

from bot.errors import (
    BotError,
    ClusterError,
    ClusterTimeout,
    ClusterUnreachable,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
)

_FORBIDDEN = re.compile(
    r'cannot (?P<verb>\S+) resource "(?P<resource>[^"]+)" in API group "(?P<group>[^"]*)"'
    r'(?: in the namespace "(?P<namespace>[^"]+)"| at the cluster scope)?'
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a request is about, for messages: ``deployment "web" ... in namespace "prod"``."""

    kind: str
    """How users call the type in messages: ``deployment``, ``pods``."""
    name: str | None = None
    namespace: str | None = None


def _status(exc: ApiException) -> dict[str, Any]:
    try:
        body: Any = json.loads(exc.body) if exc.body else {}
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _forbidden_message(message: str, as_user: str | None) -> str:
    """Who lacks which permission: the person the bot acts as (impersonation), else the bot.

    Being refused ``impersonate`` itself is always the bot's lack.
    """
    match = _FORBIDDEN.search(message)
    who = "the bot's Kubernetes identity"
    if as_user is not None and (match is None or match["verb"] != "impersonate"):
        who = f'you (Kubernetes user "{as_user}")'
    if not match:
        return f"{who} may not do this (forbidden): {message}"
    resource, _, sub = match["resource"].partition("/")
    what = f"{resource}.{match['group']}" if match["group"] else resource
    if sub:
        what += f"/{sub}"
    where = f'in namespace "{match["namespace"]}"' if match["namespace"] else "at the cluster scope"
    advice = "; ask a cluster admin for it" if who.startswith("you") else ""
    return f"{who} may not {match['verb']} {what} {where} (forbidden){advice}"


def _not_found_message(target: Target | None, status: dict[str, Any]) -> str:
    if target is None or target.name is None:
        return str(status.get("message") or "the server could not find the requested resource")
    text = f'{target.kind} "{target.name}" not found'
    return f'{text} in namespace "{target.namespace}"' if target.namespace else text


def translate(
    exc: Exception,
    *,
    target: Target | None = None,
    method: str = "GET",
    timeout: float = 0,
    as_user: str | None = None,
) -> BotError:
    """The bot error for a failed request (``raise translate(e, ...) from e``); ``as_user``:
    the Kubernetes user the request impersonated, which a 403 then names."""
    if isinstance(exc, ApiException):
        return _from_api(exc, target=target, as_user=as_user)
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return _from_network(exc, method=method, timeout=timeout)
    return ClusterError(f"the request to the cluster failed: {exc}")


def _from_network(failure: Exception, *, method: str, timeout: float) -> BotError:
    """One true sentence per way a connection fails."""
    wrapped = failure.reason if isinstance(failure, urllib3.exceptions.MaxRetryError) else None
    exc = wrapped or failure
    host, at = _address(exc)
    if isinstance(exc, urllib3.exceptions.NameResolutionError):
        return ClusterUnreachable(
            f'the cluster\'s host name "{host}" does not resolve (DNS lookup failed); '
            "check the server address in the kubeconfig"
        )
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        if isinstance(exc.__cause__, ConnectionRefusedError) or "refused" in str(exc):
            return ClusterUnreachable(
                f"the cluster{at} refused the connection: is the API server up, and is the "
                "kubeconfig's server address right?"
            )
        return ClusterUnreachable(f"could not connect to the cluster{at}: {_short(exc)}")
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):  # after its subclass above
        return ClusterTimeout(f"the cluster{at} did not accept a connection in time")
    if isinstance(exc, urllib3.exceptions.SSLError):
        return _tls_failure(str(exc), at)
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        waited = _waited(exc)
        if waited is not None and waited != timeout:
            # urllib3 times the TLS handshake with the connect timeout and reports it as a read.
            return ClusterTimeout(
                f"the cluster{at} accepted the connection but did not complete the TLS "
                f"handshake in {waited:g} s ({method} failed)"
            )
        return ClusterTimeout(f"the cluster did not answer in {timeout:g} s ({method} failed)")
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return ClusterUnreachable(
            f"the cluster closed the connection during {method} before answering; try again"
        )
    return ClusterUnreachable(f"the request to the cluster failed ({method}): {_short(exc)}")


def _waited(exc: BaseException) -> float | None:
    """The timeout urllib3 says it waited for (``Read timed out. (read timeout=5)``)."""
    found = re.search(r"read timeout=([0-9.]+)\)", str(exc))
    return float(found.group(1)) if found else None


def _tls_failure(reason: str, at: str) -> BotError:
    if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
        detail = "its certificate is not trusted; check the kubeconfig's certificate-authority"
    elif "WRONG_VERSION_NUMBER" in reason or "wrong version number" in reason:
        detail = "the server does not speak TLS there; check https:// and the port"
    else:
        detail = "check the kubeconfig's server address and certificate-authority"
    return ClusterUnreachable(f"the TLS handshake with the cluster{at} failed: {detail}")


def _address(exc: BaseException) -> tuple[str, str]:
    """The host of the connection that failed and `` at host:port`` for messages (or blanks)."""
    conn = getattr(exc, "conn", None) or getattr(exc, "pool", None)
    host, port = getattr(conn, "host", None), getattr(conn, "port", None)
    if not host:
        return "", ""
    return str(host), f" at {host}:{port}" if port else f" at {host}"


def _short(exc: BaseException) -> str:
    """urllib3's message without its ``HTTPSConnection(host=..., port=...):`` prefix."""
    return str(exc).rpartition("): ")[2] or type(exc).__name__


def _from_api(exc: ApiException, *, target: Target | None, as_user: str | None) -> BotError:
    status = _status(exc)
    code = int(exc.status or 0)
    reason = str(status.get("reason") or exc.reason or "")
    message = str(status.get("message") or exc.reason or "").strip()
    if code == 403:
        return Forbidden(_forbidden_message(message, as_user), status=code, reason=reason)
    if code == 401:
        return Forbidden(
            "the cluster rejected the bot's credentials (401 Unauthorized)",
            status=code,
            reason=reason,
        )
    if code == 404:
        return NotFound(_not_found_message(target, status), status=code, reason=reason)
    if code == 409:
        return Conflict(message, status=code, reason=reason)
    if code in (400, 422):
        return Invalid(message, status=code, reason=reason)
    if code == 429:
        return ClusterError(
            "the cluster is too busy to answer (429 Too Many Requests); try again shortly",
            status=code,
            reason=reason,
        )
    if code == 0:
        if "SSL" in reason or "certificate" in reason:
            return _tls_failure(reason, "")
        return ClusterUnreachable(f"could not talk to the cluster: {exc.reason}", reason=reason)
    return ClusterError(
        f"the cluster failed the request ({code} {reason}): {message}", status=code, reason=reason
    )
