"""The command line: ``k8s-chatops run | check | console | sandbox``.

It parses the flags, reads the settings and has ``bot.compose`` (the composition root) wire the
bot, then serves it with Slack or the console. Heavy imports (Slack, the Kubernetes client, the
sandbox) happen inside the sub-command that needs them, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import os
import sys
import textwrap
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Final

from bot import __version__
from bot.cluster import Cluster, find_cluster, require_cluster
from bot.compose import composed, console_session, slack_app
from bot.core.subject import Subject
from bot.errors import ConfigError
from bot.logs import TEXT_FORMAT, JsonFormatter, LogFormat
from bot.notifications import notifications
from bot.secrets import RedactingFilter
from bot.settings import Settings, load_settings
from bot.settings.loading import DEFAULT_PATH, Override
from bot.settings.reference import ENVIRONMENT, reference
from bot.transport.console import (
    ConsoleSink,
    console_subject,
    stream_reader,
    terminal_reader,
)

PROG = "k8s-chatops"
logger = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        try:
            from kubesim.cli import main as sandbox_main  # noqa: PLC0415 - only when asked for
        except ModuleNotFoundError as e:
            return _sandbox_missing(e, SANDBOX_MISSING)
        return sandbox_main(args_list[1:])
    args = _parser().parse_args(args_list)
    try:
        if args.command == "run":
            return _run(args, os.environ)
        if args.command == "check":
            return _check(args, os.environ)
        return _console(args, os.environ)
    except ConfigError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


SANDBOX_MISSING: Final = (
    "the sandbox cluster (kubesim) is not installed here: it comes with a source checkout "
    "(make sandbox), not with the wheel or the image"
)
CONSOLE_WITHOUT_CLUSTER: Final = (
    "no kubeconfig found, and the built-in sandbox cluster (kubesim) is not installed here; "
    "pass --kubeconfig PATH or set KUBECONFIG (or run make demo in a source checkout)"
)


def _sandbox_missing(error: ModuleNotFoundError, message: str) -> int:
    """The wheel and the image carry only ``bot``: say so in one line, rather than a trace."""
    if not (error.name or "").startswith("kubesim"):
        raise error
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


# --- the parser ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run Kubernetes from Slack with kubectl's commands and output.",
        epilog=_reference_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="serve the Slack app (Socket Mode or HTTP)",
        description="Serve the Slack app: answer the slash command and its confirm buttons.",
        epilog=_reference_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--mode", choices=("socket", "http"), help="overrides slack.mode")
    run.add_argument("--host", help="overrides slack.host (http mode; 0.0.0.0 in a container)")
    run.add_argument("--port", type=int, help="overrides slack.port (http mode)")
    run.add_argument(
        "--ops-port",
        type=int,
        metavar="PORT",
        help="overrides ops.port: /healthz, /readyz, /metrics (0: off)",
    )
    run.add_argument(
        "--log-format",
        choices=[str(f) for f in LogFormat],
        default=str(LogFormat.JSON),
        help="json (default): one object per line on stdout; text: lines for people, on stderr",
    )
    _cluster_arguments(run)

    check = commands.add_parser(
        "check",
        help="check the settings, the Slack token and scopes, the cluster and RBAC",
        description=textwrap.dedent(
            """\
            Validate the settings, call Slack's auth.test (and name missing scopes), reach
            the cluster, and ask it (SelfSubjectAccessReview) whether the bot's identity may
            do what each verb the policy enables, and the notifier, need. Prints a table
            with the RBAC rule to add for each failure; exits 0 only if all pass."""
        ),
        epilog=_reference_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _cluster_arguments(check)

    console = commands.add_parser(
        "console",
        help="type commands locally, as in Slack (no Slack needed)",
        description=textwrap.dedent(
            """\
            Type the slash command's text at a "k8s> " prompt, or pipe lines in:
              echo 'get pods -A' | k8s-chatops console --sandbox
            Runs against the kubeconfig's current context, or the built-in sandbox cluster
            with --sandbox or when no kubeconfig is found. You act as yourself with admin
            rights (you hold the kubeconfig's credentials anyway); --as USER [--groups G,...]
            [--channel C] applies the policy (roles, bindings, admins) as Slack would."""
        ),
        epilog=_reference_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    console.add_argument("--as", dest="as_user", metavar="USER", help="act as this Slack user id")
    console.add_argument(
        "--groups",
        default="",
        metavar="G,...",
        help="with --as: the Slack user group ids (S...) the user belongs to",
    )
    console.add_argument(
        "--channel",
        default="console",
        help="the channel id the policy and the audit trail see (D... is a direct message)",
    )
    console.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in sandbox cluster (demo scenario) started in-process",
    )
    _cluster_arguments(console)

    commands.add_parser(
        "sandbox",
        help="serve the sandbox cluster and write a kubeconfig (see: sandbox --help)",
        add_help=False,
    )
    return parser


def _cluster_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help=f"settings file (default: {DEFAULT_PATH})"
    )
    parser.add_argument("--kubeconfig", type=Path, metavar="PATH", help="kubeconfig file")
    parser.add_argument("--context", metavar="NAME", help="kubeconfig context")


def _reference_text() -> str:
    """Every setting and environment variable, so ``--help`` is the whole manual."""
    lines = [f"settings (in {DEFAULT_PATH}, or the file --config names):"]
    for key, default, description in reference():
        lines += [f"  {key} = {default}", f"      {description}"]
    lines += ["", "environment:"]
    for name, text in ENVIRONMENT.items():
        lines += [f"  {name}", f"      {text}"]
    return "\n".join(lines)


# --- composition ---------------------------------------------------------------------------


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    overrides = [
        Override("kubernetes.kubeconfig", args.kubeconfig, "--kubeconfig"),
        Override("kubernetes.context", args.context, "--context"),
    ]
    if args.command == "run":
        overrides += [
            Override("slack.mode", args.mode, "--mode"),
            Override("slack.host", args.host, "--host"),
            Override("slack.port", args.port, "--port"),
            Override("ops.port", args.ops_port, "--ops-port"),
        ]
    return load_settings(args.config, env=env, overrides=tuple(overrides))


QUIETED: Final = (
    "slack_sdk",
    "slack_bolt",
    "bot.transport.bolt",
    "bot.transport.socket_mode",
    "kubernetes",
    "urllib3",
)
"""Libraries whose DEBUG records carry whole request and reply bodies (slack_sdk's requests,
Socket Mode envelopes, kubernetes.client.rest's responses, Secret data included): they log at
INFO at most, whatever ``LOG_LEVEL`` says."""


def configure_logging(
    level: str, secrets: Sequence[str] = (), *, log_format: LogFormat = LogFormat.TEXT
) -> None:
    """Standard logging, every record scrubbed of tokens and response URLs: JSON lines on
    stdout (beside the audit trail's), or text on stderr."""
    if log_format is LogFormat.JSON:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    floor = max(logging.getLevelNamesMapping()[level], logging.INFO)
    for name in QUIETED:
        logging.getLogger(name).setLevel(floor)


@contextmanager
def _cluster_for_console(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> Iterator[Cluster]:
    """The kubeconfig's cluster, or the in-process sandbox when asked or when there is none."""
    cluster = None if args.sandbox else find_cluster(settings, env)
    if cluster is not None:
        yield cluster
        return
    try:
        from kubesim.testing.harness import running_sandbox  # noqa: PLC0415 - only when needed
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("kubesim"):
            raise
        raise ConfigError(CONSOLE_WITHOUT_CLUSTER if not args.sandbox else SANDBOX_MISSING) from e
    if not args.sandbox:
        print(f"{PROG}: no kubeconfig found; using the built-in sandbox cluster", file=sys.stderr)
    with running_sandbox(scenario="demo") as sandbox:
        print(f"{PROG}: sandbox cluster (demo scenario) at {sandbox.url}", file=sys.stderr)
        yield Cluster(
            in_cluster=False,
            kubeconfig=sandbox.kubeconfig,
            context=None,
            label="the built-in sandbox (demo scenario)",
        )


def _run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
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


def _check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from bot.preflight import run_checks, table  # noqa: PLC0415 - only for check

    settings = _settings(args, env)
    configure_logging("WARNING", settings.secrets.values())
    rows = run_checks(settings, find_cluster(settings, env))
    print(table(rows))
    return 0 if all(row.passed for row in rows) else 1


def _console(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    # The console's user is at the terminal: only warnings, unless LOG_LEVEL asks for more.
    configure_logging(settings.log_level if env.get("LOG_LEVEL") else "WARNING")
    subject, local_admin = _console_subject(args.as_user, args.groups)
    with ExitStack() as stack:
        cluster = stack.enter_context(_cluster_for_console(args, settings, env))
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


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
