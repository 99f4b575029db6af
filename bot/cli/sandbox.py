"""The sandbox cluster (kubesim), imported only when asked for: a source checkout has it, the
wheel and the image do not, and then say so in one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final

from bot.cli.parser import PROG
from bot.cluster import Cluster, find_cluster
from bot.errors import ConfigError
from bot.settings import Settings

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


def serve_sandbox(argv: Sequence[str]) -> int:
    """``k8s-chatops sandbox ...``: kubesim's own command line, where it is installed."""
    try:
        from kubesim.cli import main as sandbox_main  # noqa: PLC0415 - only when asked for
    except ModuleNotFoundError as e:
        return _sandbox_missing(e, SANDBOX_MISSING)
    return sandbox_main(argv)


@contextmanager
def console_cluster(
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
