"""The flags of ``k8s-chatops``, its ``--help`` (every setting and variable), and the settings
they override."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Mapping
from pathlib import Path

from bot import __version__
from bot.logs import LogFormat
from bot.settings import Settings, load_settings
from bot.settings.loading import DEFAULT_PATH, Override
from bot.settings.reference import ENVIRONMENT, reference

PROG = "k8s-chatops"


def argument_parser() -> argparse.ArgumentParser:
    """The parser of every sub-command but ``sandbox`` (kubesim parses its own flags)."""
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


def settings_for(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """The settings file with the parsed flags over it (a flag names the key it overrides)."""
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
