"""Authentication: the bearer token of a request to the identity it stands for.

Three kinds of token are known: the sandbox's own admin token (the kubeconfig's, ``system:masters``
and so above RBAC), static user tokens minted for tests (a real cluster's token file or OIDC), and
service-account tokens issued by ``POST .../serviceaccounts/NAME/token``, valid while their
ServiceAccount (with the same uid) exists and until they expire. Anything else is a 401.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterable

from kubesim.api.resources import by_kind
from kubesim.auth import tokens
from kubesim.auth.identity import (
    AUTHENTICATED,
    MASTERS,
    UserInfo,
    service_account_groups,
    service_account_name,
)
from kubesim.storage.store import Store

ADMIN_USER = "sandbox-admin"
CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"


class Authenticator:
    """Tokens to identities, for one sandbox."""

    def __init__(self, *, store: Store, admin_token: str) -> None:
        self._store = store
        self._admin_token = admin_token.encode()
        self._key = secrets.token_bytes(32)
        self._static: dict[str, UserInfo] = {}
        self.admin = UserInfo(name=ADMIN_USER, groups=(MASTERS, AUTHENTICATED))

    def add_user(self, name: str, *, groups: Iterable[str] = (), uid: str = "") -> str:
        """A new token for user ``name`` in ``groups`` (plus ``system:authenticated``).

        Thread-safe: one dict assignment, read by the server loop.
        """
        token = secrets.token_urlsafe(24)
        listed = tuple(dict.fromkeys((*groups, AUTHENTICATED)))
        self._static[token] = UserInfo(name=name, uid=uid, groups=listed)
        return token

    def issue(
        self, namespace: str, name: str, uid: str, *, audiences: tuple[str, ...], seconds: int
    ) -> tuple[str, int]:
        """A service-account token and its expiry (Unix seconds)."""
        issued = int(time.time())
        expires = issued + seconds
        token = tokens.sign(
            self._key,
            namespace=namespace,
            name=name,
            uid=uid,
            audiences=audiences,
            issued=issued,
            expires=expires,
        )
        return token, expires

    def authenticate(self, header: str) -> UserInfo | None:
        """The identity of an ``Authorization`` header, or None (a 401)."""
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            return None
        if hmac.compare_digest(credential.encode(), self._admin_token):
            return self.admin
        static = self._static.get(credential)
        if static is not None:
            return static
        claims = tokens.verify(self._key, credential, now=int(time.time()))
        if claims is None or tokens.ISSUER not in claims.audiences:
            return None
        account = self._store.peek(by_kind("ServiceAccount"), claims.namespace, claims.name)
        if account is None or account["metadata"].get("uid") != claims.uid:
            return None
        return UserInfo(
            name=service_account_name(claims.namespace, claims.name),
            uid=claims.uid,
            groups=(*service_account_groups(claims.namespace), AUTHENTICATED),
            extra=((CREDENTIAL_ID, (f"JTI={claims.jti}",)),),
        )
