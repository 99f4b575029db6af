"""Running the Slack app from the settings: Socket Mode (default) or HTTP mode.

Socket Mode dials out to Slack over a websocket (no public URL needed, the usual choice inside
a cluster); HTTP mode listens for Slack's signed POSTs. Both use the same ``App``, built on one
``WebClient`` whose base URL honours ``slack.api_url`` / ``SLACK_API_URL``. Tokens come only
from ``settings.secrets`` (the environment) and are handed to the clients, never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
import time
from types import FrameType
from typing import Final

from slack_bolt import BoltRequest
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.errors import ConfigError
from bot.settings import Settings, SlackMode
from bot.telemetry import Metrics
from bot.transport.ops_server import Health
from bot.transport.slack_app import ChatOpsPort, SeenSignaturesPort, SlackApp, build_app
from bot.transport.slack_clients import SHUTDOWN, web_client
from bot.transport.slack_groups import People
from bot.transport.slack_http import AckProcessEnded, serve_http, until_stopped
from bot.transport.slack_workers import WorkerSizes

logger = logging.getLogger(__name__)


def app_from_settings(
    settings: Settings,
    chatops: ChatOpsPort,
    *,
    metrics: Metrics | None = None,
    seen: SeenSignaturesPort | None = None,
) -> SlackApp:
    """Build the app for ``settings.slack.mode``; ConfigError when a credential is missing or
    Slack refuses the bot token (Bolt checks it with ``auth.test`` right away). ``metrics``
    counts its Slack calls; ``seen``: the signed requests other replicas took (HTTP mode).
    """
    settings.require_slack_secrets()
    secrets = settings.secrets
    http = settings.slack.mode is SlackMode.HTTP
    assert secrets.bot_token is not None  # checked by require_slack_secrets()
    client = web_client(
        secrets.bot_token.get_secret_value(), base_url=settings.slack.api_url, metrics=metrics
    )
    signing = secrets.signing_secret.get_secret_value() if http and secrets.signing_secret else None
    try:
        return build_app(
            chatops=chatops,
            client=client,
            command=settings.slack.command,
            signing_secret=signing,
            sizes=worker_sizes(settings),
            groups={g for binding in settings.policy.bindings for g in binding.groups},
            people=people(settings, client),
            seen=seen if http else None,
        )
    except BoltError as e:
        cause = e.__context__
        code = cause.response.get("error") if isinstance(cause, SlackApiError) else "refused"
        msg = f"SLACK_BOT_TOKEN: Slack refused the bot token (auth.test: {code}); check it"
        raise ConfigError(msg) from None
    except (SlackClientError, OSError) as e:
        msg = f"slack.api_url: cannot reach Slack at {client.base_url} ({type(e).__name__})"
        raise ConfigError(msg) from None


def people(settings: Settings, client: WebClient) -> People | None:
    """What ``kubernetes.impersonate`` needs Slack to say about each person (None: off)."""
    impersonate = settings.kubernetes.impersonate
    if impersonate is None:
        return None
    templates = impersonate.to_impersonation()
    return People(client, emails=templates.needs_email, groups=impersonate.group is not None)


def worker_sizes(settings: Settings) -> WorkerSizes:
    """The workers' bounds from the ``slack`` settings section."""
    slack = settings.slack
    return WorkerSizes(
        workers=slack.workers,
        long_workers=slack.long_workers,
        queue=slack.queue,
        per_user=slack.per_user,
    )


def connect_socket_mode(app: SlackApp, *, app_token: str) -> SocketModeClient:
    """Open the Socket Mode connection (reusing ``app.client``); the caller closes it."""
    client = SocketModeClient(
        app_token=app_token,
        web_client=app.client,
        logger=logging.getLogger("bot.transport.socket_mode"),
        ping_interval=10,  # Bolt's SocketModeHandler's (the client's own default is 5)
    )

    def on_envelope(session: BaseSocketModeClient, request: SocketModeRequest) -> None:
        payload = request.payload
        bolt_request = BoltRequest(mode="socket_mode", body=payload, headers=build_headers(request))
        answer = app.intake.take(payload, lambda: app.dispatch(bolt_request))
        session.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload=answer)
        )

    client.socket_mode_request_listeners.append(on_envelope)
    client.connect()
    return client


_RUNNER_STOPS_WITHIN: Final = 5.0
"""Seconds a closing client waits for its session's runner to end before ``close()`` joins it."""


def disconnect_socket_mode(client: SocketModeClient) -> None:
    """``client.close()``, without waiting out slack_sdk's idle polls (up to 4 s in all).

    Its socket reader holds the socket's lock while it waits up to 3 s for data, and closing
    needs that lock; its message processor waits up to 1 s for the next message before it
    looks whether the client is closed. So the processor is told first (``closed`` is what
    ``close()`` sets first) and woken with an empty message, and the socket's read side is
    shut, which wakes the reader and sends Slack nothing; ``close()`` then ends the
    connection as before.
    """
    client.closed = True
    client.auto_reconnect_enabled = False
    client.message_queue.put(None)
    # The session's runner calls its target again whenever a run ends, and each new run marks
    # the session live again: woken between two runs, it would start one that never ends, and
    # close() would wait for it forever. So the runner is told to stop before it is woken.
    runner = client.current_session_runner
    runner.event.set()
    client.current_session_state.terminated = True
    session = client.current_session
    sock = session.sock if session is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed by a reconnect: nothing to wake
            socket.socket.shutdown(sock, socket.SHUT_RD)
    deadline = time.monotonic() + _RUNNER_STOPS_WITHIN
    while runner.is_alive() and time.monotonic() < deadline:
        client.current_session_state.terminated = True  # a run that began just before stays short
        runner.thread.join(0.05)
    client.close()


def serve_socket_mode(
    app: SlackApp, *, app_token: str, stop: threading.Event, health: Health | None = None
) -> None:
    """Stay connected (reconnecting when Slack asks) until ``stop`` is set."""
    client = connect_socket_mode(app, app_token=app_token)
    logger.info("connected to Slack in Socket Mode")
    if health is not None:
        health.slack = client.is_connected
    try:
        asyncio.run(until_stopped(stop))
    finally:
        disconnect_socket_mode(client)


def serve(
    settings: Settings,
    app: SlackApp,
    *,
    stop: threading.Event | None = None,
    health: Health | None = None,
) -> int:
    """Run ``app`` until SIGINT/SIGTERM (or ``stop``); what ``k8s-chatops run`` calls. Returns
    the exit status: 0, or 1 when HTTP mode's ack process ended on its own.

    Then it shuts down gracefully: no new request is taken (the HTTP port closes, the Socket
    Mode connection ends, so Slack sends the next ones to another replica), and the ones in
    flight get ``slack.shutdown_grace_seconds`` to finish and deliver their replies.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        _stop_on_signals(stop)
    ended: AckProcessEnded | None = None
    try:
        if settings.slack.mode is SlackMode.HTTP:

            def listening() -> None:
                if health is not None:
                    health.slack = lambda: True

            try:
                serve_http(
                    app,
                    host=settings.slack.host,
                    port=settings.slack.port,
                    stop=stop,
                    listening=listening,
                    nice=settings.slack.workers_nice,
                )
            except AckProcessEnded as e:  # what was taken still finishes, then the bot fails
                ended = e
        else:
            app_token = settings.secrets.app_token
            assert app_token is not None  # checked by app_from_settings()
            serve_socket_mode(app, app_token=app_token.get_secret_value(), stop=stop, health=health)
        if threading.current_thread() is threading.main_thread():
            _stop_on_signals(stop)  # the loop gave the signals back to their default: death
        finish_in_flight(app, grace=settings.slack.shutdown_grace_seconds)
    finally:
        SHUTDOWN.set()  # replies still retrying give up now, so the process can exit
        app.close()
    if ended is not None:
        logger.error("%s", ended)
        return 1
    return 0


def finish_in_flight(app: SlackApp, *, grace: float) -> bool:
    """Let the requests in flight finish, for at most ``grace`` seconds; True when all did."""
    workers = app.intake.workers
    running = workers.in_flight()
    if not running:
        return True
    logger.info("waiting up to %gs for %d request(s) in flight", grace, running)
    if workers.idle(grace):
        logger.info("every request in flight finished")
        return True
    logger.warning("gave up on %d request(s) still running after %gs", workers.in_flight(), grace)
    return False


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _: FrameType | None) -> None:
        logger.info("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
