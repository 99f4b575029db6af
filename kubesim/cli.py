"""``k8s-chatops sandbox``: serve a sandbox cluster in the foreground until SIGINT/SIGTERM.

Prints the URL and the kubeconfig path so ``kubectl --kubeconfig PATH ...`` can drive it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from kubesim.cluster import SCENARIOS, ClusterOptions, start_cluster, write_kubeconfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox command's options."""
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument(
        "--kubeconfig-out",
        type=Path,
        default=None,
        help="where to write the kubeconfig (default: a temporary file)",
    )
    parser.add_argument("--scenario", choices=SCENARIOS, default="demo")
    parser.add_argument("--pods", type=int, default=0, help="pods for the scale scenario")
    parser.add_argument("--deployments", type=int, default=0, help="deployments to add")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--no-metrics",
        action="store_true",
        help="serve no metrics.k8s.io (a cluster without metrics-server: kubectl top fails)",
    )


def run(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Serve until interrupted; returns the exit code."""
    stream = out or sys.stdout
    if args.speed <= 0:
        print("error: --speed must be positive", file=sys.stderr)
        return 2
    options = ClusterOptions(
        scenario=args.scenario,
        pods=args.pods,
        deployments=args.deployments,
        speed=args.speed,
        port=args.port,
        metrics_api=not args.no_metrics,
    )
    with contextlib.ExitStack() as stack:
        path: Path = (
            args.kubeconfig_out
            or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="k8s-sandbox-")))
            / "kubeconfig"
        )
        try:
            asyncio.run(_serve(options, path, stream))
        except OSError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


async def _serve(options: ClusterOptions, kubeconfig: Path, out: TextIO) -> None:
    cluster = await start_cluster(options)
    try:
        write_kubeconfig(kubeconfig, cluster)
        print(f"Sandbox cluster ({options.scenario}) serving at {cluster.url}", file=out)
        print(f"Kubeconfig: {kubeconfig}", file=out)
        print(f"Try: kubectl --kubeconfig {kubeconfig} get pods -A", file=out)
        print("Press Ctrl+C to stop.", file=out, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
    finally:
        await cluster.stop()
    print("Sandbox stopped.", file=out, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``k8s-chatops sandbox [options]``."""
    parser = argparse.ArgumentParser(
        prog="k8s-chatops sandbox", description="Serve a sandbox Kubernetes API."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
