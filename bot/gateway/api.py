"""Raw JSON requests to the API server through the official client's ``ApiClient``.

Every call goes through ``ApiClient.call_api`` with ``_preload_content=False``: the typed APIs
overwrite ``Accept`` (no server-side Tables), pick PATCH content types by the body's Python type,
and their models drop fields the client does not know (fatal for ``rollout undo``). Here each
request states its method, path, media types and a ``(connect, read)`` timeout, and answers are
plain dicts. GETs are retried once on a connection error; writes never are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import quote

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from bot.core import kube
from bot.core.impersonation import KubeIdentity
from bot.core.kube import Obj
from bot.gateway.client import impersonation_headers
from bot.gateway.errors import Target, translate

logger = logging.getLogger(__name__)

JSON: Final = "application/json"
TABLE: Final = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)
MERGE_PATCH: Final = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH: Final = "application/strategic-merge-patch+json"
JSON_PATCH: Final = "application/json-patch+json"


class Response(Protocol):
    """What we use of urllib3's ``HTTPResponse``."""

    @property
    def data(self) -> bytes: ...

    def stream(self, amt: int | None = ...) -> Iterator[bytes]: ...

    def release_conn(self) -> None: ...

    def close(self) -> None: ...

    def shutdown(self) -> None:
        """Shut the socket for reading, so a read blocked in another thread returns."""


def path(*segments: str) -> str:
    """An API path from raw segments, each percent-encoded (``/api/v1/namespaces/x/pods``)."""
    return "/" + "/".join(quote(s, safe="") for s in segments if s)


def resource_path(group: str, version: str, plural: str, namespace: str | None, *rest: str) -> str:
    """``/api/v1/...`` for the core group, ``/apis/GROUP/VERSION/...`` otherwise."""
    root = ("api", version) if not group else ("apis", group, version)
    ns = ("namespaces", namespace) if namespace else ()
    return path(*root, *ns, plural, *rest)


@dataclass(frozen=True, slots=True)
class Page:
    """The items of a (possibly paged) list and whether the bound cut it short."""

    items: list[Obj]
    truncated: bool = False
    resource_version: str = ""


class Api:
    """JSON requests with the gateway's timeouts and error translation."""

    def __init__(
        self,
        client: ApiClient,
        *,
        timeout: float,
        connect_timeout: float,
        identity: KubeIdentity | None = None,
        observe: Callable[[str, int], None] | None = None,
    ) -> None:
        self._client = client
        self.timeout = timeout
        self._connect_timeout = connect_timeout
        self._timeouts = (connect_timeout, timeout)
        self._observe = observe
        """Told (method, HTTP status) of every request, 0 when none came back (metrics)."""
        self.identity = identity
        """Who the requests run as (impersonation headers), None for the bot itself."""

    def acting_as(self, identity: KubeIdentity | None) -> Api:
        """The same connections, each request impersonating ``identity`` (None: the bot)."""
        if identity is None:
            return self
        return Api(
            self._client,
            timeout=self.timeout,
            connect_timeout=self._connect_timeout,
            identity=identity,
            observe=self._observe,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: object = None,
        accept: str = JSON,
        content_type: str | None = None,
        target: Target | None = None,
        read_timeout: float | None = None,
    ) -> Response:
        """Send one request and return the unread response (caller reads and releases it)."""
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        if self.identity is not None:
            headers |= impersonation_headers(self.identity)
        timeouts = self._timeouts if read_timeout is None else (self._timeouts[0], read_timeout)
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            try:
                response: Response = self._client.call_api(
                    url,
                    method,
                    query_params=list(query),
                    header_params=dict(headers),
                    body=body,
                    auth_settings=["BearerToken"],
                    _preload_content=False,
                    _return_http_data_only=True,
                    _request_timeout=timeouts,
                )
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.NewConnectionError) as e:
                self._observed(method, 0)
                if attempt + 1 < attempts:
                    logger.info("retrying GET %s once after a connection error: %s", url, e)
                    continue
                raise translate(e, target=target, method=method, timeout=timeouts[1]) from e
            except (ApiException, urllib3.exceptions.HTTPError) as e:
                self._observed(method, getattr(e, "status", None) or 0)
                raise translate(
                    e, target=target, method=method, timeout=timeouts[1], as_user=self._as_user
                ) from e
            except AttributeError as e:
                # kubernetes 36 turns a TLS failure into ApiException(status=0, body=None), then
                # calls body.decode() on it: the failure surfaces as this AttributeError.
                if isinstance(e.__context__, ApiException) and not e.__context__.status:
                    self._observed(method, 0)
                    failure = e.__context__
                    raise translate(failure, target=target, method=method) from failure
                raise
            self._observed(method, int(getattr(response, "status", 200)))
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def _as_user(self) -> str | None:
        return None if self.identity is None else self.identity.user

    def _observed(self, method: str, code: int) -> None:
        if self._observe is not None:
            self._observe(method, code)

    def json(
        self,
        method: str,
        url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: object = None,
        accept: str = JSON,
        content_type: str | None = None,
        target: Target | None = None,
    ) -> Obj:
        """A request whose answer is a JSON object."""
        response = self.request(
            method,
            url,
            query=query,
            body=body,
            accept=accept,
            content_type=content_type,
            target=target,
        )
        try:
            raw = response.data
        except urllib3.exceptions.HTTPError as e:
            raise translate(e, target=target, method=method, timeout=self.timeout) from e
        finally:
            response.release_conn()
        decoded: Any = json.loads(raw) if raw else {}
        if not isinstance(decoded, Mapping):
            return {"items": decoded}
        return dict(decoded)

    def get(
        self,
        url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        accept: str = JSON,
        target: Target | None = None,
    ) -> Obj:
        """GET a JSON object."""
        return self.json("GET", url, query=query, accept=accept, target=target)

    def pages(
        self,
        url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        page_size: int = 500,
        accept: str = JSON,
        target: Target | None = None,
    ) -> Iterator[Obj]:
        """Each raw page of a list, following ``limit``/``continue`` like kubectl, one at a time
        (so a caller that converts as it goes never holds the whole list twice)."""
        token = ""
        while True:
            params = [*query, ("limit", str(page_size))]
            if token:
                params.append(("continue", token))
            page = self.get(url, query=params, accept=accept, target=target)
            yield page
            token = kube.text(page, "metadata", "continue")
            if not token:
                return

    def list(
        self,
        url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        page_size: int = 500,
        max_items: int | None = None,
        accept: str = JSON,
        target: Target | None = None,
        key: str = "items",
    ) -> tuple[Page, list[Obj]]:
        """Every item of a list; stop early once ``max_items`` are read.

        Returns the page summary and every raw page (Tables keep their column definitions there).
        """
        collected: list[Obj] = []
        pages: list[Obj] = []
        truncated = False
        resource_version = ""
        for page in self.pages(url, query=query, page_size=page_size, accept=accept, target=target):
            pages.append(page)
            collected.extend(kube.items(page, key))
            resource_version = resource_version or kube.text(page, "metadata", "resourceVersion")
            if max_items is not None and len(collected) >= max_items:
                truncated = len(collected) > max_items or bool(
                    kube.text(page, "metadata", "continue")
                )
                collected = collected[:max_items]
                break
        return Page(collected, truncated, resource_version), pages
