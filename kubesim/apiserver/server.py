"""The sandbox's HTTP front: authentication, the request log, faults, discovery and dispatch.

Every request is recorded, may be delayed or answered by an injected fault, must carry the bearer
token, and ends as a JSON answer; an unexpected exception becomes a 500 InternalError Status (and a
log line), so one bad request never takes the server or its open watches down.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.apiserver import discovery, impersonation, metrics, openapi, reviews, routing
from kubesim.apiserver.authn import Authenticator
from kubesim.apiserver.authz import Authorizer
from kubesim.apiserver.faults import Faults, now
from kubesim.apiserver.objects import Objects
from kubesim.apiserver.request_log import Outcome, RecordedRequest, RequestLog
from kubesim.apiserver.watch import WatchHub
from kubesim.apiserver.wire import respond
from kubesim.auth import attributes
from kubesim.auth.identity import UserInfo
from kubesim.auth.rbac import Decision
from kubesim.storage.crds import CustomTypes
from kubesim.storage.store import Clock, Store

log = logging.getLogger(__name__)

_USER = web.RequestKey("kubesim.user", UserInfo)
_PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz"})
_NOT_FOUND = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "the server could not find the requested resource",
    "reason": "NotFound",
    "details": {},
    "code": 404,
}


def _parsed_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "json" in content_type or not content_type:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw


class ApiServer:
    """One sandbox API server over a store; start it on a running loop."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        token: str,
        faults: Faults | None = None,
        requests: RequestLog | None = None,
        bookmark_interval: float = 1.0,
        aggregated_discovery: bool = True,
        metrics_api: bool = True,
    ) -> None:
        self.store = store
        self.clock = clock
        self.token = token
        self.authenticator = Authenticator(store=store, admin_token=token)
        self.authorizer = Authorizer(store)
        self.faults = faults or Faults()
        self.requests = requests or RequestLog()
        self.aggregated_discovery = aggregated_discovery
        self.metrics_api = metrics_api
        """Whether ``metrics.k8s.io`` is served (a cluster with metrics-server)."""
        self.hub = WatchHub()
        self.types = CustomTypes(store)
        self.objects = Objects(
            store=store,
            clock=clock,
            hub=self.hub,
            bookmark_interval=bookmark_interval,
            expire_watch=self.faults.take_watch_expiry,
        )
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.scheme = "http"

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        return app

    async def start(
        self, *, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> str:
        """Listen on host:port (0: a free port), over TLS when given a context; returns the URL."""
        self._runner = web.AppRunner(
            self.app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=tls)
        self.scheme = "https" if tls is not None else "http"
        await site.start()
        server = site._server  # aiohttp exposes the bound port nowhere else
        assert isinstance(server, asyncio.Server)
        self.host, self.port = server.sockets[0].getsockname()[:2]
        self.faults.bind(asyncio.get_running_loop(), self.hub.drop)
        return self.url

    async def stop(self) -> None:
        """Close open watches and stop listening."""
        self.hub.drop(abrupt=False)
        if self._runner is None:
            return
        server = self._runner.server
        if server is not None:
            # Keep-alive TLS connections would otherwise wait for the peer's close_notify.
            for connection in list(server.connections):
                if connection.transport is not None:
                    connection.transport.abort()
        await asyncio.sleep(0)
        await self._runner.cleanup()
        self._runner = None

    # --- the request pipeline ----------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        content_type = request.headers.get("Content-Type", "")
        outcome = Outcome()
        self.requests.record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=MultiDictProxy(MultiDict(request.query)),
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                body=_parsed_body(raw, content_type),
                content_type=content_type,
                at=now(),
                outcome=outcome,
            )
        )
        response = await self._answer(request, handler, outcome)
        outcome.status = response.status
        return response

    async def _answer(
        self, request: web.Request, handler: Any, outcome: Outcome
    ) -> web.StreamResponse:
        try:
            verdict = self.faults.verdict(request.method, request.path, request.query)
            if verdict is not None:
                if verdict.delay:
                    await asyncio.sleep(verdict.delay)
                if verdict.flood is not None:
                    flooded = web.StreamResponse(headers={"Content-Type": "text/plain"})
                    await flooded.prepare(request)
                    await verdict.flood.pour(flooded.write)
                    return flooded
                if verdict.status is not None:
                    answer = respond(verdict.body, code=verdict.status)
                    answer.headers.update(verdict.headers)
                    return answer
            if request.path not in _PUBLIC_PATHS:
                request[_USER] = self._authenticated(request, outcome)
            response: web.StreamResponse = await handler(request)
            return response
        except status.ApiError as err:
            return respond(err.to_status(), code=err.code)
        except web.HTTPException:
            raise
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception as err:
            log.exception("sandbox: %s %s failed", request.method, request.path_qs)
            failure = status.ApiError(500, "InternalError", f"Internal error occurred: {err}")
            return respond(failure.to_status(), code=500)

    def _authenticated(self, request: web.Request, outcome: Outcome) -> UserInfo:
        """Who sends the request (after impersonation), once they may do what it asks."""
        user = self.authenticator.authenticate(request.headers.get("Authorization", ""))
        if user is None:
            raise status.unauthorized()
        if impersonation.requested(request.headers):

            def authorize(asked: attributes.Attributes) -> Decision:
                outcome.impersonation.append(asked)
                return self.authorizer.authorize(asked)

            user = impersonation.impersonate(user, request.headers, authorize, uri=request.path_qs)
        outcome.user = user.name
        if not user.privileged:
            asked = attributes.parse(request.method, request.path, request.query, user)
            outcome.attributes = asked
            self.authorizer.require(asked)
        return user

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path in _PUBLIC_PATHS:
            return web.Response(text="ok", content_type="text/plain")
        if request.path.startswith(openapi.PREFIX):
            document = openapi.lookup(request.path)
            return respond(document) if document is not None else respond(_NOT_FOUND, code=404)
        target = routing.parse(request.path, self._type_at)
        if target is None:
            return respond(_NOT_FOUND, code=404)
        if isinstance(target, routing.Discovery):
            if request.method != "GET":
                raise status.method_not_allowed()
            return self._discovery(request, target)
        return await self._resource(request, target)

    def _type_at(self, group: str, version: str, plural: str) -> ResourceType | None:
        if self.metrics_api and (group, version) == (metrics.GROUP, metrics.VERSION):
            return next((rt for rt in metrics.TYPES if rt.plural == plural), None)
        return self.types.by_path(group, version, plural)

    def _served(self) -> tuple[ResourceType, ...]:
        return self.types.served() + (metrics.TYPES if self.metrics_api else ())

    async def _resource(self, request: web.Request, target: routing.Target) -> web.StreamResponse:
        raw = await request.read()
        if target.rt in metrics.TYPES:
            return metrics.serve(request, target, self.store, self.clock)
        if target.rt.review:
            return reviews.review(
                request, target, raw, user=request[_USER], authorizer=self.authorizer
            )
        if target.subresource == "token":
            return reviews.token(
                request, target, raw, store=self.store, authenticator=self.authenticator
            )
        return await self.objects.handle(request, target, raw)

    def _discovery(self, request: web.Request, target: routing.Discovery) -> web.Response:
        accept = request.headers.get("Accept", "")
        served = self._served()
        if target.kind == "version":
            return respond(discovery.SERVER_VERSION)
        if target.kind in ("api", "apis"):
            if self.aggregated_discovery and discovery.wants_aggregated(accept):
                document = discovery.aggregated(core=target.kind == "api", served=served)
                return web.Response(
                    body=json.dumps(document, separators=(",", ":")).encode(),
                    headers={"Content-Type": discovery.AGGREGATED_CONTENT_TYPE},
                )
            if target.kind == "api":
                return respond(discovery.api_versions(f"{self.host}:{self.port}"))
            return respond(discovery.api_group_list(served))
        if target.kind == "group":
            group = discovery.api_group(target.group, served)
            return respond(group) if group is not None else respond(_NOT_FOUND, code=404)
        resources = discovery.resource_list(target.group, target.version, served)
        return respond(resources) if resources is not None else respond(_NOT_FOUND, code=404)
