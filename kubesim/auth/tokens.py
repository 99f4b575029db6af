"""Service-account tokens: HS256-signed JWTs with the claims a real apiserver puts in them.

A real cluster signs with RS256 and a key pair; the sandbox signs with its own secret (nothing
outside it verifies them), so a token from one sandbox never authenticates against another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

ISSUER = "https://kubernetes.default.svc.cluster.local"
DEFAULT_AUDIENCES = (ISSUER,)


@dataclass(frozen=True, slots=True)
class ServiceAccountClaims:
    """What a verified token says: whose it is, for whom, until when."""

    namespace: str
    name: str
    uid: str
    jti: str
    audiences: tuple[str, ...]
    expires: int
    """Unix seconds."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(
    key: bytes,
    *,
    namespace: str,
    name: str,
    uid: str,
    audiences: tuple[str, ...],
    issued: int,
    expires: int,
) -> str:
    """A token for the service account ``namespace/name`` (uid ``uid``)."""
    header = {"alg": "HS256", "typ": "JWT"}
    claims: dict[str, Any] = {
        "aud": list(audiences),
        "exp": expires,
        "iat": issued,
        "iss": ISSUER,
        "jti": str(uuid.uuid4()),
        "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}},
        "nbf": issued,
        "sub": f"system:serviceaccount:{namespace}:{name}",
    }
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def verify(key: bytes, token: str, *, now: int) -> ServiceAccountClaims | None:
    """The claims of a token this key signed and that has not expired; None otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
        account = claims["kubernetes.io"]
        found = ServiceAccountClaims(
            namespace=str(account["namespace"]),
            name=str(account["serviceaccount"]["name"]),
            uid=str(account["serviceaccount"]["uid"]),
            jti=str(claims["jti"]),
            audiences=tuple(str(a) for a in claims["aud"]),
            expires=int(claims["exp"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return found if found.expires > now else None
