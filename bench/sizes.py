"""``get pods`` at three sizes and a long container log: the bot beside one request (the
floor) and, for ``get``, beside that request after the write the bot makes before any answer
(its replay record), beside two apps that answer the slash command with nothing but that
request (``bench.standalone``), and beside kubectl per command. Arms are interleaved, as in
``sections``."""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.apps import pod_rows, standalone
from bench.cpu import CpuMeter
from bench.harness import (
    SANDBOX_PIDS,
    BotProcess,
    api_client,
    blast,
    replies_by,
    running_bot,
    sandbox_process,
    signed,
)
from bench.memory import peak_rss
from bench.sections import Data, Plan
from bench.standalone import APPS
from bench.stats import ratio, summary
from tests.fakeslack import ALICE, FakeSlack, running_fake_slack


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _table_rows(api: Any) -> int:
    return len(pod_rows(api))


def _recorded_table_rows(api: Any, serials: Iterator[int]) -> int:
    """The floor with the one write every command of the bot makes before it answers: a
    replay record (a ConfigMap like ``bot.gateway.seen_requests``'s), then the Table GET."""
    record = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"bench-seen-{next(serials):08d}",
            "labels": {"bench/seen-request": "true"},
            "annotations": {"bench/expires-at": "2099-01-01T00:00:00Z"},
        },
    }
    answer = api.call_api(
        "/api/v1/namespaces/default/configmaps",
        "POST",
        body=record,
        header_params={"Accept": "application/json", "Content-Type": "application/json"},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    json.loads(answer.data)
    return _table_rows(api)


def _log(core: client.CoreV1Api, pod: str, tail: int | None) -> bytes:
    """The raw log GET (the logs' floor)."""
    answer: bytes = core.read_namespaced_pod_log(
        pod, "default", tail_lines=tail, _preload_content=False
    ).data
    return answer


def _slash(fake: FakeSlack, url: str, text: str, *, timeout: float = 120.0) -> float:
    """Seconds from sending ``/k8s TEXT`` to its reply (NaN when none came in time)."""
    shot = blast(url, [signed(fake, text, ALICE)], concurrency=1)[0]
    arrived = replies_by(fake, [shot.response_url], timeout=timeout)[shot.response_url]
    return float("nan") if arrived is None else arrived - shot.sent


def _with_file(fake: FakeSlack, url: str) -> tuple[float, float, int]:
    """One ``get pods``: seconds to its reply and to its attached file (NaN: none), file bytes."""
    files = _files_settled(fake)
    shot = blast(url, [signed(fake, "get pods", ALICE)], concurrency=1)[0]
    arrived = replies_by(fake, [shot.response_url], timeout=120)[shot.response_url]
    reply = float("nan") if arrived is None else arrived - shot.sent
    if "direct message" not in str(fake.responses_to(shot.response_url)):
        return reply, float("nan"), 0
    try:
        (file,) = fake.wait_for(lambda: fake.files[files:], timeout=120, what="the file")
    except AssertionError:
        return reply, float("nan"), 0
    return reply, time.perf_counter() - shot.sent, len(file.content)


def _files_settled(fake: FakeSlack) -> int:
    """How many files are uploaded, once every answer that said it attached one has its file
    (an earlier command's upload follows its reply, and may still be on its way)."""

    def promised() -> int:
        return sum(1 for p in fake.responses if p.status == 200 and "direct message" in str(p.body))

    with suppress(AssertionError):  # a lost upload: count what is there
        fake.wait_for(lambda: len(fake.files) >= promised(), timeout=60, what="earlier files")
    return len(fake.files)


def _attachment(fake: FakeSlack, bot: BotProcess, *, rounds: int) -> Data:
    """Slash -> attached file, and the bot process's peak resident memory while one such
    command runs, above what it held before it (``peak_rss``)."""
    to_file = [at for _, at, _ in (_with_file(fake, bot.url) for _ in range(rounds))]
    with peak_rss(bot.pid) as grew:
        _, _, size = _with_file(fake, bot.url)
    return {
        "bot_to_file": summary([s for s in to_file if not math.isnan(s)]),
        "file_mb": round(size / 1e6, 3),
        "bot_rss_mb": grew["before_mb"],
        "bot_peak_rise_mb": grew["rise_mb"],
    }


def _slash_settled(fake: FakeSlack, url: str) -> float:
    """``_slash`` of ``get pods``, then its attached file too: no arm overlaps its upload."""
    seconds = _slash(fake, url, "get pods")
    _files_settled(fake)
    return seconds


def _interleaved(
    arms: dict[str, Callable[[], float]], rounds: int, cpu: CpuMeter
) -> tuple[dict[str, list[float]], list[float]]:
    """Each arm's seconds (NaN ones dropped), ``rounds`` times, the order rotated each round;
    each call's CPU counted in ``cpu`` (the floors' with their client's thread), each call
    made once the parties are quiet (``CpuMeter.settle``); and the seconds each of those
    waits took."""
    samples: dict[str, list[float]] = {arm: [] for arm in arms}
    waited: list[float] = []
    names = list(arms)
    for round_ in range(rounds):
        for arm in names[round_ % len(names) :] + names[: round_ % len(names)]:
            waited.append(cpu.settle())
            with cpu.measure(arm, client=arm.startswith("floor")):
                seconds = arms[arm]()
            if not math.isnan(seconds):
                samples[arm].append(seconds)
    return samples, waited


def get_pods(plan: Plan, workdir: Path) -> Data:
    """``get pods`` over every row: the bot, one Table GET (the floor), the floor after a
    replay record, a bare Bolt app and the slash floor (aiohttp, the v0 check, 200) each doing
    the floor's GET and posting its rows, the slash echo (the slash floor's way in and out, no
    GET), and kubectl per command. The floor after the record plus the echo is what the parts
    the issue asks of every command (the record, the request, the way in and out) add up to."""
    sizes: Data = {}
    kubectl = shutil.which("kubectl")
    for pods, rounds in zip(plan.pod_counts, plan.get_rounds, strict=True):
        with ExitStack() as stack:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=workdir)))
            sandbox = stack.enter_context(
                sandbox_process(home, scenario="scale", pods=pods, deployments=min(10, pods))
            )
            fake = stack.enter_context(running_fake_slack())
            served = stack.enter_context(running_bot(home, sandbox, fake))
            url = served.url
            api = api_client(sandbox)
            stack.callback(api.close)
            apps = {app: stack.enter_context(standalone(app, sandbox, fake)) for app in APPS}
            argv = [kubectl or "kubectl", "--kubeconfig", str(sandbox), "get", "pods"]
            env = {**os.environ, "HOME": str(home)}

            def run_kubectl(argv: list[str] = argv, env: dict[str, str] = env) -> None:
                subprocess.run(argv, env=env, check=True, capture_output=True, timeout=120)

            arms: dict[str, Callable[[], float]] = {
                "bot": functools.partial(_slash_settled, fake, url),
                "floor": functools.partial(_timed, functools.partial(_table_rows, api)),
                "floor_and_record": functools.partial(
                    _timed, functools.partial(_recorded_table_rows, api, itertools.count())
                ),
                **{app: functools.partial(_slash, fake, apps[app].url, "get pods") for app in APPS},
            }
            if kubectl:
                arms["kubectl"] = functools.partial(_timed, run_kubectl)
            rows = _table_rows(api)
            for fn in arms.values():  # warm-up: discovery caches, connections
                fn()
            cpu = CpuMeter(
                {"bot": served.pid, "sandbox": SANDBOX_PIDS[sandbox]}
                | {app: apps[app].pid for app in APPS}
            )
            samples, waited = _interleaved(arms, rounds, cpu)
            figures = {arm: summary(values) for arm, values in samples.items()}
            attachment = _attachment(fake, served, rounds=min(rounds, 5))
            bot, floor = figures["bot"]["p50_ms"], figures["floor"]["p50_ms"]
            kube = figures.get("kubectl", {}).get("p50_ms", float("nan"))
            sizes[str(pods)] = {
                "pods": pods,
                "rows_in_table": rows,
                "rounds": rounds,
                "arms": figures,
                "bot_over_floor": ratio(bot, floor),
                "bot_over_floor_and_record": ratio(bot, figures["floor_and_record"]["p50_ms"]),
                "bot_over_bare_bolt": ratio(bot, figures["bare_bolt"]["p50_ms"]),
                "bot_over_slash_floor": ratio(bot, figures["slash_floor"]["p50_ms"]),
                "slash_floor_over_floor": ratio(figures["slash_floor"]["p50_ms"], floor),
                "floor_and_echo_over_floor": ratio(floor + figures["slash_echo"]["p50_ms"], floor),
                "floor_record_and_echo_over_floor": ratio(
                    figures["floor_and_record"]["p50_ms"] + figures["slash_echo"]["p50_ms"], floor
                ),
                "kubectl_over_bot": ratio(kube, bot),
                "cpu_ms_per_call": cpu.per_call_ms(),
                "settle_ms": summary(waited),
                **attachment,
            }
    return {"sizes": sizes, "kubectl": kubectl is not None}


# --- logs -----------------------------------------------------------------------------------


def logs(plan: Plan, workdir: Path) -> Data:
    """One container's long log (2,000 lines): ``--tail 100``, the default, and all of it."""
    cases: Data = {}
    with ExitStack() as stack:
        sandbox = stack.enter_context(
            sandbox_process(workdir, scenario="scale", pods=2, deployments=1)
        )
        fake = stack.enter_context(running_fake_slack())
        bot = stack.enter_context(running_bot(workdir, sandbox, fake))
        url = bot.url
        api = api_client(sandbox)
        stack.callback(api.close)
        core = client.CoreV1Api(api)
        pod = core.list_namespaced_pod("default").items[0].metadata.name
        full = core.read_namespaced_pod_log(pod, "default", _preload_content=False).data
        log_lines, log_bytes = full.count(b"\n"), len(full)
        variants = {"tail_100": " --tail 100", "default": "", "all_lines": f" --tail {log_lines}"}
        for name, flags in variants.items():
            tail = None if name == "default" else int(flags.split()[-1])
            arms: dict[str, Callable[[], object]] = {
                "bot": functools.partial(_slash, fake, url, f"logs {pod}{flags}"),
                "floor": functools.partial(_log, core, pod, tail),
            }
            for fn in arms.values():
                fn()
            samples: dict[str, list[float]] = {"bot": [], "floor": []}
            for _ in range(plan.log_rounds):
                seconds = _slash(fake, url, f"logs {pod}{flags}")
                if not math.isnan(seconds):
                    samples["bot"].append(seconds)
                samples["floor"].append(_timed(arms["floor"]))
            with peak_rss(bot.pid) as grew:
                arms["bot"]()
            tracemalloc.start()  # the floor's client runs here: its own allocations
            try:
                arms["floor"]()
                floor_peak = round(tracemalloc.get_traced_memory()[1] / 1e6, 3)
            finally:
                tracemalloc.stop()
            bot_ms = summary(samples["bot"])
            floor_ms = summary(samples["floor"])
            cases[name] = {
                "text": f"logs POD{flags}",
                "bot": bot_ms,
                "floor": floor_ms,
                "bot_over_floor": ratio(bot_ms["p50_ms"], floor_ms["p50_ms"]),
                "bot_peak_rise_mb": grew["rise_mb"],
                "floor_peak_traced_mb": floor_peak,
            }
    return {"log_lines": log_lines, "log_bytes": log_bytes, "cases": cases}
