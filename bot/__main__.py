"""The command line: ``k8s-chatops run | check | console | sandbox``.

It parses the flags, reads the settings and has ``bot.compose`` (the composition root) wire the
bot, then serves it with Slack or the console (the parts are in ``bot.cli``). Heavy imports
(Slack, the Kubernetes client, the sandbox) happen inside the sub-command that needs them, so
``--help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from bot.cli.commands import check, console, run
from bot.cli.parser import PROG, argument_parser
from bot.cli.sandbox import serve_sandbox
from bot.errors import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        return serve_sandbox(args_list[1:])
    args = argument_parser().parse_args(args_list)
    try:
        if args.command == "run":
            return run(args, os.environ)
        if args.command == "check":
            return check(args, os.environ)
        return console(args, os.environ)
    except ConfigError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
