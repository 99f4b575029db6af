"""The composition root and command line: ``k8s-chatops run | console | sandbox``.

The only module that knows every concrete piece: it reads the settings, picks the cluster
(in-cluster, a kubeconfig, or the built-in sandbox), builds the gateway, the audit trail and
ChatOps, and hands them to Slack or to the console. Heavy imports (Slack, the Kubernetes
client, the sandbox) happen inside the sub-command that needs them, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot import __version__
from bot.audit_log import JsonLinesAudit
from bot.core.policy import Policy
from bot.core.subject import Subject
from bot.errors import ConfigError
from bot.secrets import RedactingFilter
from bot.service.options import ChatOpsOptions
from bot.service.ports import KubeGateway
from bot.service.service import ChatOps
from bot.settings import (
    DEFAULT_PATH,
    ENVIRONMENT,
    Override,
    Settings,
    load_settings,
    reference,
)
from bot.transport.console import Console, console_subject, stream_reader, terminal_reader

PROG = "k8s-chatops"
logger = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        from bot.sandbox.cli import main as sandbox_main  # noqa: PLC0415 - only when asked for

        return sandbox_main(args_list[1:])
    args = _parser().parse_args(args_list)
    try:
        if args.command == "run":
            return _run(args, os.environ)
        return _console(args, os.environ)
    except ConfigError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
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
    run.add_argument("--port", type=int, help="overrides slack.port (http mode)")
    _cluster_arguments(run)

    console = commands.add_parser(
        "console",
        help="type commands locally, as in Slack (no Slack needed)",
        description=textwrap.dedent(
            """\
            Type the slash command's text at a "k8s> " prompt, or pipe lines in:
              echo 'get pods -A' | k8s-chatops console --sandbox
            Runs against the kubeconfig's current context, or the built-in sandbox cluster
            with --sandbox or when no kubeconfig is found. You act as yourself with admin
            rights (you hold the kubeconfig's credentials anyway); --as USER applies
            policy.admins as Slack would."""
        ),
        epilog=_reference_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    console.add_argument("--as", dest="as_user", metavar="USER", help="act as this Slack user id")
    console.add_argument("--channel", default="console", help="channel name for the audit trail")
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
            Override("slack.port", args.port, "--port"),
        ]
    return load_settings(args.config, env=env, overrides=tuple(overrides))


def configure_logging(level: str, secrets: Sequence[str] = ()) -> None:
    """Standard logging to stderr, every record scrubbed of anything token-shaped."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Where the gateway connects: in-cluster, or a kubeconfig (and context)."""

    in_cluster: bool
    kubeconfig: Path | None = None
    context: str | None = None
    label: str = ""
    """For the console's first line: which cluster it talks to."""


def find_cluster(settings: Settings, env: Mapping[str, str]) -> Cluster | None:
    """In a pod use the service account; else --kubeconfig, the setting, KUBECONFIG, ~/.kube.

    None when there is nothing to connect to.
    """
    kube = settings.kubernetes
    if env.get("KUBERNETES_SERVICE_HOST"):
        return Cluster(in_cluster=True, label="in-cluster service account")
    if kube.kubeconfig is not None:
        if not kube.kubeconfig.exists():
            msg = f"kubernetes.kubeconfig: the file {str(kube.kubeconfig)!r} does not exist"
            raise ConfigError(msg)
        return Cluster(False, kube.kubeconfig, kube.context, f"kubeconfig {kube.kubeconfig}")
    paths = [Path(p) for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    existing = [p for p in paths if p.exists()]
    if existing:
        # The Kubernetes client merges a KUBECONFIG list itself; pass the first file it reads.
        return Cluster(False, None, kube.context, f"KUBECONFIG {env['KUBECONFIG']}")
    default = Path(env.get("HOME", str(Path.home()))) / ".kube" / "config"
    if not paths and default.exists():
        return Cluster(False, default, kube.context, f"kubeconfig {default}")
    return None


@contextmanager
def _cluster_for_console(
    args: argparse.Namespace, settings: Settings, env: Mapping[str, str]
) -> Iterator[Cluster]:
    """The kubeconfig's cluster, or the in-process sandbox when asked or when there is none."""
    cluster = None if args.sandbox else find_cluster(settings, env)
    if cluster is not None:
        yield cluster
        return
    if not args.sandbox:
        print(f"{PROG}: no kubeconfig found; using the built-in sandbox cluster", file=sys.stderr)
    from bot.sandbox.harness import running_sandbox  # noqa: PLC0415 - only when needed

    with running_sandbox(scenario="demo") as sandbox:
        print(f"{PROG}: sandbox cluster (demo scenario) at {sandbox.url}", file=sys.stderr)
        yield Cluster(False, sandbox.kubeconfig, None, "the built-in sandbox (demo scenario)")


def chatops_options(settings: Settings) -> ChatOpsOptions:
    """What the service needs of the settings, and nothing else."""
    replies = settings.replies
    return ChatOpsOptions(
        default_namespace=settings.kubernetes.default_namespace,
        command_prefix=settings.slack.command,
        read_only=replies.read_only,
        changes=replies.changes,
        errors=replies.errors,
        confirmation_expiry=timedelta(minutes=settings.confirmations.expiry_minutes),
    )


def _gateway(settings: Settings, cluster: Cluster) -> KubeGateway:
    """The Kubernetes gateway for ``cluster``, bounded by the ``kubernetes`` settings."""
    from bot.gateway.gateway import GatewayOptions, KubernetesGateway  # noqa: PLC0415
    from bot.gateway.logs import LogLimits  # noqa: PLC0415 - the client is slow to import

    kube = settings.kubernetes
    defaults = LogLimits()
    options = GatewayOptions(
        request_timeout=kube.request_timeout_seconds,
        rollout_timeout=kube.rollout_status_timeout_seconds,
        logs=LogLimits(
            limit_bytes=kube.log_limit_bytes,
            default_tail=min(defaults.default_tail, kube.log_tail_lines),
            selector_tail=min(defaults.selector_tail, kube.log_tail_lines),
            max_tail=kube.log_tail_lines,
        ),
    )
    if cluster.in_cluster:
        return KubernetesGateway.in_cluster(options=options)
    return KubernetesGateway.from_kubeconfig(
        cluster.kubeconfig, context=cluster.context, options=options
    )


def _run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    settings.require_slack_secrets()
    configure_logging(settings.log_level, settings.secrets.values())
    cluster = find_cluster(settings, env)
    if cluster is None:
        msg = (
            "no Kubernetes configuration found: not in a pod, and no --kubeconfig, "
            "kubernetes.kubeconfig, KUBECONFIG or ~/.kube/config"
        )
        raise ConfigError(msg)
    audit = _audit(settings, console=False)
    chatops = ChatOps(
        gateway=_gateway(settings, cluster),
        policy=_policy(settings),
        options=chatops_options(settings),
        audit=audit,
    )
    logger.info(
        "serving %s in %s mode against %s; admins: %s",
        settings.slack.command,
        settings.slack.mode,
        cluster.label,
        ", ".join(settings.policy.admins) or "none (read-only for everyone)",
    )
    try:
        return _serve_slack(settings, chatops)
    finally:
        audit.close()


def _serve_slack(settings: Settings, chatops: ChatOps) -> int:
    """Hand ChatOps to the Slack transport and block until SIGINT/SIGTERM."""
    from bot.transport.slack_serve import serve  # noqa: PLC0415 - Bolt only when serving

    serve(settings, chatops)
    return 0


def _console(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    # The console's user is at the terminal: only warnings, unless LOG_LEVEL asks for more.
    configure_logging(settings.log_level if env.get("LOG_LEVEL") else "WARNING")
    subject, local_admin = _console_subject(args.as_user)
    with ExitStack() as stack:
        cluster = stack.enter_context(_cluster_for_console(args, settings, env))
        audit = _audit(settings, console=True)
        stack.callback(audit.close)
        chatops = ChatOps(
            gateway=_gateway(settings, cluster),
            policy=_policy(settings, *([subject.user_id] if local_admin else [])),
            options=chatops_options(settings),
            audit=audit,
        )
        console = Console(
            chatops=chatops,
            subject=subject,
            channel=args.channel,
            command_name=settings.slack.command,
        )
        if sys.stdin.isatty():
            print(
                f"{PROG} console on {cluster.label} as {subject.display}; "
                'type "help", or "exit" to leave.',
                file=sys.stderr,
            )
            return console.run(terminal_reader(sys.stdout), sys.stdout)
        return console.run(stream_reader(sys.stdin), sys.stdout)


def _policy(settings: Settings, *extra_admins: str) -> Policy:
    return Policy(admins=frozenset((*settings.policy.admins, *extra_admins)))


def _console_subject(as_user: str | None) -> tuple[Subject, bool]:
    """``--as U123`` acts as that Slack user; otherwise the local user, with admin rights."""
    if as_user:
        return console_subject(as_user, as_user), False
    name = getpass.getuser()
    return console_subject(f"local:{name}", name), True


def _audit(settings: Settings, *, console: bool) -> JsonLinesAudit:
    """The audit trail; the console keeps its stdout for replies, so that it can be piped.

    In the console the default ``stdout`` goes to stderr, or nowhere when stderr is a terminal
    (a JSON line after every answer drowns the conversation); a file or an explicit ``stderr``
    is honoured as configured.
    """
    target = settings.audit.path
    if console and target == "stdout":
        if sys.stderr.isatty():
            return JsonLinesAudit.open(os.devnull)
        target = "stderr"
    return JsonLinesAudit.open(target, secrets=settings.secrets.values())


__all__ = ["ChatOps", "main"]

if __name__ == "__main__":
    sys.exit(main())
