"""Measure the figures the issues ask for, on this machine, and print them.

    python -m bench                 # everything
    python -m bench sandbox         # 10,000-pod scale scenario: start-up and Table listing
    python -m bench slash           # slash command to reply, HTTP and Socket Mode, on the sandbox

Each figure is the median (and spread) of several runs; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kubesim.testing.harness import Sandbox, running_sandbox

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def _summary(name: str, samples: Sequence[float], unit: str = "s") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    values = sorted(v * scale for v in samples)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return (
        f"{name:<58} median {statistics.median(values):8.3f} {unit}   "
        f"min {values[0]:8.3f}   p95 {p95:8.3f}   (n={len(values)})"
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _list_figures(sandbox: Sandbox, pods: int) -> None:
    """Time listing every pod as a Table: one client request, then kubectl's paged listing."""
    api = sandbox.api_client()

    def list_table() -> int:
        response = api.call_api(
            "/api/v1/pods",
            "GET",
            header_params={"Accept": TABLE},
            auth_settings=["BearerToken"],
            _preload_content=False,
            _return_http_data_only=True,
        )
        return len(json.loads(response.data)["rows"])

    print(f"# listing returns {list_table()} rows")
    samples = [_timed(list_table) for _ in range(5)]
    print(_summary(f"list all {pods} pods as a Table (one request)", samples))
    api.close()
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("# kubectl not found: kubectl listing skipped")
        return
    with tempfile.TemporaryDirectory() as home:
        argv = [kubectl, "--kubeconfig", str(sandbox.kubeconfig), "get", "pods", "-A"]
        env = {**os.environ, "HOME": home}

        def run_kubectl() -> None:
            subprocess.run(argv, env=env, check=True, capture_output=True, timeout=120)

        run_kubectl()  # fills kubectl's discovery cache
        samples = [_timed(run_kubectl) for _ in range(3)]
    print(_summary(f"kubectl get pods -A over {pods} pods (pages of 500)", samples))


def bench_sandbox(*, pods: int, deployments: int, runs: int) -> None:
    """Start the scale scenario ``runs`` times; list all pods as a Table on the last one."""
    starts: list[float] = []
    for attempt in range(runs):
        begin = time.perf_counter()
        with running_sandbox(scenario="scale", pods=pods, deployments=deployments) as sandbox:
            starts.append(time.perf_counter() - begin)
            if attempt == runs - 1:
                _list_figures(sandbox, pods)
    print(_summary(f"start the scale scenario ({pods} pods, {deployments} deployments)", starts))


def bench_slash(*, runs: int) -> None:
    """Slash command to reply through the real app, fake Slack and sandbox, per transport.

    The bot is wired by ``bot.compose`` (through ``tests/e2e/stack.py``), as ``run`` wires it.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.e2e.stack import running_stack  # noqa: PLC0415 -- dev-only harness

    for mode in ("http", "socket"):
        with tempfile.TemporaryDirectory() as workdir, running_stack(mode, Path(workdir)) as stack:
            for text in ("get pods -n prod", "describe deployment api -n prod"):
                stack.run(text)  # warm-up: discovery cache, connections
                samples = [_timed(lambda text=text: stack.run(text)) for _ in range(runs)]
                print(_summary(f"/k8s {text} ({mode}), command to reply", samples, "ms"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help="sandbox and/or slash (default: both)")
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--deployments", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="sandbox start-ups to time")
    parser.add_argument("--commands", type=int, default=100, help="slash commands per case")
    args = parser.parse_args(argv)
    which = set(args.which) or {"sandbox", "slash"}
    if not which <= {"sandbox", "slash"}:
        parser.error("choose from: sandbox, slash")
    print(f"# {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if "sandbox" in which:
        bench_sandbox(pods=args.pods, deployments=args.deployments, runs=args.runs)
    if "slash" in which:
        bench_slash(runs=args.commands)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
