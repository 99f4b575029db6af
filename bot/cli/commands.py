"""The sub-commands ``run``, ``check`` and ``console``: the settings from the flags, the bot
composed by ``bot.compose``, then served with Slack, checked, or driven from the terminal."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import sys
import threading
from collections.abc import Mapping
from contextlib import ExitStack

from bot.cli.parser import PROG, settings_for
from bot.cli.sandbox import console_cluster
from bot.cluster import find_cluster, require_cluster
from bot.compose import composed, console_session, slack_app
from bot.core.subject import Subject
from bot.logs import LogFormat, configure_logging
from bot.notifications import notifications
from bot.transport.console import (
    ConsoleSink,
    console_subject,
    stream_reader,
    terminal_reader,
)

logger = logging.getLogger("bot")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """``k8s-chatops run``: serve the Slack app, its ops endpoints and notifications."""
    settings = settings_for(args, env)
    settings.require_slack_secrets()
    configure_logging(
        settings.log_level, settings.secrets.values(), log_format=LogFormat(args.log_format)
    )
    cluster = require_cluster(settings, env)
    with composed(settings, cluster) as bot, ExitStack() as stack:
        from bot.transport.ops_server import Health, running_ops  # noqa: PLC0415 - aiohttp

        stop = threading.Event()
        health = Health(stop=stop, cluster=bot.reachable)
        if settings.ops.port:
            ops = settings.ops
            stack.enter_context(running_ops(health, bot.metrics, host=ops.host, port=ops.port))
        app = slack_app(settings, bot)
        from bot.transport.slack_delivery import Delivery  # noqa: PLC0415 - Slack only here

        stack.enter_context(
            notifications(settings, cluster, Delivery(app.client), metrics=bot.metrics)
        )
        logger.info(
            "serving %s in %s mode against %s; admins: %s",
            settings.slack.command,
            settings.slack.mode,
            cluster.label,
            ", ".join(settings.policy.admins) or "none (read-only for everyone)",
        )
        from bot.transport.slack_serve import serve  # noqa: PLC0415 - Bolt only when serving

        status = serve(settings, app, stop=stop, health=health)
    logger.info("stopped")
    return status


def check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """``k8s-chatops check``: the preflight table; 0 only when every row passed."""
    from bot.preflight import run_checks, table  # noqa: PLC0415 - only for check

    settings = settings_for(args, env)
    configure_logging("WARNING", settings.secrets.values())
    rows = run_checks(settings, find_cluster(settings, env))
    print(table(rows))
    return 0 if all(row.passed for row in rows) else 1


def console(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """``k8s-chatops console``: the slash command's text typed or piped in, answered as text."""
    settings = settings_for(args, env)
    # The console's user is at the terminal: only warnings, unless LOG_LEVEL asks for more.
    configure_logging(settings.log_level if env.get("LOG_LEVEL") else "WARNING")
    subject, local_admin = _console_subject(args.as_user, args.groups)
    with ExitStack() as stack:
        cluster = stack.enter_context(console_cluster(args, settings, env))
        extra = (subject.user_id,) if local_admin else ()
        bot = stack.enter_context(composed(settings, cluster, extra_admins=extra, console=True))
        session = console_session(settings, bot, subject=subject, channel=args.channel)
        sink = ConsoleSink(sys.stdout)
        stack.enter_context(notifications(settings, cluster, sink, everything_to=args.channel))
        if sys.stdin.isatty():
            print(
                f"{PROG} console on {cluster.label} as {subject.display}; "
                'type "help", or "exit" to leave.',
                file=sys.stderr,
            )
            return session.run(terminal_reader(sys.stdout), sys.stdout)
        return session.run(stream_reader(sys.stdin.buffer, errors=sys.stderr), sys.stdout)


def _console_subject(as_user: str | None, groups: str) -> tuple[Subject, bool]:
    """``--as U123`` acts as that Slack user; otherwise the local user, with admin rights."""
    if as_user:
        member_of = frozenset(g.strip() for g in groups.split(",") if g.strip())
        return dataclasses.replace(console_subject(as_user, as_user), groups=member_of), False
    name = getpass.getuser()
    return console_subject(f"local:{name}", name), True
