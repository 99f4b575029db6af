"""The measurements, one function per section; each returns plain data for the report.

Every loop is bounded in count and in time, and everything runs on loopback. Arms that are
compared are interleaved (round-robin batches), so that drift in the machine's load hits all.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.harness import (
    BotProcess,
    api_client,
    bare_bolt,
    blast,
    raw_floor,
    replies_by,
    running_bot,
    sandbox_process,
    serving,
    signed,
    user,
)
from bench.stats import ratio, summary
from tests.fakeslack import ALICE, FakeSlack, running_fake_slack

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """How much to measure: the full run, or the smoke run's tiny counts."""

    ack_commands: int = 500
    concurrency: int = 50
    ack_rounds: int = 5
    load_levels: tuple[int, ...] = (0, 16, 64)
    probes: int = 10
    probe_wait: float = 10.0
    rollout_timeout: float = 120.0
    pod_counts: tuple[int, ...] = (50, 500, 5000)
    get_rounds: tuple[int, ...] = (20, 20, 8)
    log_rounds: int = 10
    footprint_commands: int = 1000
    hostile_bytes: int = 100_000
    hostile_shots: int = 5
    hostile_flood: int = 16
    hostile_wait: float = 10.0


SMOKE = Plan(
    ack_commands=12,
    concurrency=4,
    ack_rounds=2,
    load_levels=(0, 2),
    probes=2,
    probe_wait=5.0,
    rollout_timeout=10.0,
    pod_counts=(5, 150),  # 150 rows: the answer is previewed and its file attached
    get_rounds=(2, 2),
    log_rounds=2,
    footprint_commands=10,
    hostile_bytes=100_000,
    hostile_shots=2,
    hostile_flood=2,
    hostile_wait=3.0,
)


# --- ack ------------------------------------------------------------------------------------


def ack(plan: Plan, workdir: Path) -> Data:
    """Signed commands at a fixed concurrency: the bot, a bare Bolt app and the raw floor.

    The bot is a process of its own, as deployed; the bare Bolt app and the floor are served
    from this process, where Slack's API (the fake) takes the bot's replies; the sandbox and
    Slack's client run in processes of their own (``sandbox_process``, ``bench.loadgen``):
    only the bot's arm works after its ack.
    """
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_process(workdir, scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        urls = {
            "bot": stack.enter_context(running_bot(workdir, sandbox, fake)).url,
            "bare_bolt": stack.enter_context(serving(bare_bolt(fake))),
            "floor": stack.enter_context(serving(raw_floor())),
        }
        samples: dict[str, list[float]] = {arm: [] for arm in urls}
        failures = dict.fromkeys(urls, 0)
        answers: list[float] = []
        busy = 0
        batch = max(1, plan.ack_commands // plan.ack_rounds)
        arms = list(urls)
        blast(urls["bot"], [signed(fake, "get pods -n prod", ALICE)], concurrency=1)  # warm-up
        for round_ in range(plan.ack_rounds):
            order = arms[round_ % len(arms) :] + arms[: round_ % len(arms)]
            for arm in order:
                requests = [signed(fake, "get pods -n prod", user(i)) for i in range(batch)]
                shots = blast(urls[arm], requests, concurrency=plan.concurrency)
                samples[arm] += [s.ack_seconds for s in shots if s.status == 200]
                failures[arm] += sum(1 for s in shots if s.status != 200)
                if arm == "bot":  # let its work drain, so it does not load the next arm
                    taken = [s for s in shots if s.status == 200 and BUSY not in s.answer]
                    busy += sum(1 for s in shots if BUSY in s.answer)
                    arrived = replies_by(fake, [s.response_url for s in taken], timeout=60)
                    answers += [
                        at - s.sent for s in taken if (at := arrived[s.response_url]) is not None
                    ]
        result: Data = {
            "commands_per_arm": batch * plan.ack_rounds,
            "concurrency": plan.concurrency,
            "arms": {
                arm: {**summary(values), "not_200": failures[arm]}
                for arm, values in samples.items()
            },
            "bot_answer": summary(answers),
            "bot_busy_acks": busy,
        }
    arms_data = result["arms"]
    result["ratios"] = {
        "bot_p99_over_floor": ratio(arms_data["bot"]["p99_ms"], arms_data["floor"]["p99_ms"]),
        "bot_p99_over_bare_bolt": ratio(
            arms_data["bot"]["p99_ms"], arms_data["bare_bolt"]["p99_ms"]
        ),
        "bare_bolt_p99_over_floor": ratio(
            arms_data["bare_bolt"]["p99_ms"], arms_data["floor"]["p99_ms"]
        ),
    }
    return result


BUSY = "The bot is busy"
"""How the bot's ack begins when its workers have no room (it is still an ack, with a reason)."""


# --- ack under load -------------------------------------------------------------------------

STUCK = "stuck"


def _stuck_deployment(apps: Any, image: str) -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": STUCK, "namespace": "default"},
        "spec": {
            "replicas": 1,
            "progressDeadlineSeconds": 2_000_000_000,
            "selector": {"matchLabels": {"app": STUCK}},
            "template": {
                "metadata": {"labels": {"app": STUCK}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }
    try:
        apps.read_namespaced_deployment(STUCK, "default")
    except client.ApiException:
        apps.create_namespaced_deployment("default", body)
        return
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}
    apps.patch_namespaced_deployment(STUCK, "default", patch)


def ack_under_load(plan: Plan, workdir: Path) -> Data:
    """K ``rollout status`` commands following a rollout that never ends, then probes."""
    levels: Data = {}
    extra = f"  rollout_status_timeout_seconds: {plan.rollout_timeout}\n"
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_process(workdir, scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        url = stack.enter_context(running_bot(workdir, sandbox, fake, extra=extra)).url
        api = api_client(sandbox)
        stack.callback(api.close)
        apps = client.AppsV1Api(api)
        blast(url, [signed(fake, "get pods -n prod", ALICE)], concurrency=1)  # warm-up
        for level, k in enumerate(plan.load_levels):
            long_shots = []
            if k:
                _stuck_deployment(apps, f"registry.example/doesnotexist:{level}")
                longs = [
                    signed(fake, f"rollout status deployment/{STUCK}", user(i, "U0L"))
                    for i in range(k)
                ]
                long_shots = blast(url, longs, concurrency=k)
            probes = [signed(fake, "get pods -n prod", user(i, "U0P")) for i in range(plan.probes)]
            shots = blast(url, probes, concurrency=plan.probes)
            arrived = replies_by(fake, [s.response_url for s in shots], timeout=plan.probe_wait)
            acks = [s.ack_seconds for s in shots if s.status == 200]
            answers = [at - s.sent for s in shots if (at := arrived[s.response_url]) is not None]
            levels[str(k)] = {
                "long_commands": k,
                "long_acked_200": sum(1 for s in long_shots if s.status == 200),
                "probes": len(shots),
                "probe_ack": summary(acks),
                "probe_not_200": sum(1 for s in shots if s.status != 200),
                "probe_http_answer": summary([s.ack_seconds for s in shots]),
                "probe_answer": summary(answers),
                "probes_unanswered": sum(1 for v in arrived.values() if v is None),
                "answer_wait_s": plan.probe_wait,
            }
            if k:  # release the long commands: the rollout completes, they answer
                _stuck_deployment(apps, "nginx:1.27")
                replies_by(fake, [s.response_url for s in long_shots], timeout=90)
    return {"levels": levels}


# --- get pods -------------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _table_rows(api: Any) -> int:
    answer = api.call_api(
        "/api/v1/namespaces/default/pods",
        "GET",
        query_params=[("includeObject", "None")],
        header_params={"Accept": TABLE},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    return len(json.loads(answer.data)["rows"])


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


@contextmanager
def peak_rss(pid: int) -> Iterator[dict[str, float]]:
    """How far ``pid``'s resident memory peaked above its level at the start of the block.

    Linux keeps the peak (``VmHWM``); writing 5 to ``clear_refs`` resets it to the current
    size, so the peak read after the block is the block's own.
    """
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = _rss_kb(pid)["VmRSS"]
    found: dict[str, float] = {"before_mb": round(before / 1024, 1)}
    yield found
    found["rise_mb"] = round((_rss_kb(pid)["VmHWM"] - before) / 1024, 1)


def get_pods(plan: Plan, workdir: Path) -> Data:
    """``get pods`` over every row: the bot, one Table GET (the floor), kubectl per command."""
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
            argv = [kubectl or "kubectl", "--kubeconfig", str(sandbox), "get", "pods"]
            env = {**os.environ, "HOME": str(home)}

            def run_kubectl(argv: list[str] = argv, env: dict[str, str] = env) -> None:
                subprocess.run(argv, env=env, check=True, capture_output=True, timeout=120)

            arms: dict[str, Callable[[], object]] = {
                "bot": lambda fake=fake, url=url: _slash(fake, url, "get pods"),
                "floor": lambda api=api: _table_rows(api),
            }
            if kubectl:
                arms["kubectl"] = run_kubectl
            rows = _table_rows(api)
            for fn in arms.values():  # warm-up: discovery caches, connections
                fn()
            samples: dict[str, list[float]] = {arm: [] for arm in arms}
            names = list(arms)
            for round_ in range(rounds):
                for arm in names[round_ % len(names) :] + names[: round_ % len(names)]:
                    if arm == "bot":
                        seconds = _slash(fake, url, "get pods")
                        if not math.isnan(seconds):
                            samples[arm].append(seconds)
                    else:
                        samples[arm].append(_timed(arms[arm]))
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
                "kubectl_over_bot": ratio(kube, bot),
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
                "bot": lambda flags=flags: _slash(fake, url, f"logs {pod}{flags}"),
                "floor": lambda tail=tail: (
                    core.read_namespaced_pod_log(
                        pod, "default", tail_lines=tail, _preload_content=False
                    ).data
                ),
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


# --- footprint and hostile input (a real `k8s-chatops run --mode http` child) --------------


def _rss_kb(pid: int) -> dict[str, int]:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started (the bot's ack process)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _rss_kb_all(pid: int) -> dict[str, int]:
    """``_rss_kb`` of ``pid`` and its children together (each one's peak, summed)."""
    total = Counter(_rss_kb(pid))
    for child in _children(pid):
        total.update(_rss_kb(child))
    return dict(total)


def footprint(plan: Plan, workdir: Path) -> Data:
    """Start to ready, idle RSS, RSS after N commands; then a hostile 100 KB command."""
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_process(workdir, scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        bot = stack.enter_context(running_bot(workdir, sandbox, fake))
        url = bot.url
        idle = _rss_kb_all(bot.pid)
        ack_idle = sum(_rss_kb(child)["VmRSS"] for child in _children(bot.pid))
        requests = [
            signed(fake, "get pods -n prod", user(i % 50)) for i in range(plan.footprint_commands)
        ]
        shots = []
        for start in range(0, len(requests), 100):  # bounded batches: each waits for its replies
            batch = blast(url, requests[start : start + 100], concurrency=10)
            replies_by(fake, [s.response_url for s in batch], timeout=60)
            shots += batch
        after = _rss_kb_all(bot.pid)
        result: Data = {
            "start_to_ready_s": round(bot.ready_seconds, 3),
            "idle_rss_mb": round(idle["VmRSS"] / 1024, 1),
            "ack_process_idle_rss_mb": round(ack_idle / 1024, 1),
            "commands": len(shots),
            "commands_acked_200": sum(1 for s in shots if s.status == 200),
            "rss_after_commands_mb": round(after["VmRSS"] / 1024, 1),
            "peak_rss_mb": round(after["VmHWM"] / 1024, 1),
        }
        result["hostile"] = _hostile(plan, fake, url)
    return result


def _hostile(plan: Plan, fake: FakeSlack, url: str) -> Data:
    """A command of ``hostile_bytes`` (a long label selector), alone and ``hostile_flood`` at once.

    Each lone one is sent once the bot has answered everything before it (the probes' work
    would otherwise be timed with it), ``hostile_shots`` times; the median is the figure.
    Measured last, in the child process, which is stopped after it (a quadratic validator would
    otherwise burn the CPU for minutes).
    """
    text = "get pods -l " + ",".join(["a=b"] * (plan.hostile_bytes // 4))
    baseline = blast(
        url, [signed(fake, "get pods -n prod", user(i, "U0Q")) for i in range(5)], concurrency=5
    )
    replies_by(fake, [s.response_url for s in baseline], timeout=plan.hostile_wait)
    refusals: list[float] = []
    for index in range(plan.hostile_shots):
        shot = blast(url, [signed(fake, text, user(index, "U0H"))], concurrency=1, timeout=30)[0]
        in_ack = REFUSAL in shot.answer  # the refusal can be the ack itself
        arrived = (
            None
            if in_ack
            else replies_by(fake, [shot.response_url], timeout=plan.hostile_wait)[shot.response_url]
        )
        refused_at = shot.acked if in_ack else arrived
        if refused_at is not None:
            refusals.append(refused_at - shot.sent)
    reply = next((p.body for p in fake.responses_to(shot.response_url) if p.status == 200), {})
    with serving(raw_floor()) as floor_url:  # what carrying those bytes costs at all
        floor = blast(
            floor_url,
            [signed(fake, text, user(i, "U0G")) for i in range(plan.hostile_shots)],
            concurrency=1,
            timeout=30,
        )
    refused = summary(refusals)
    flood = [signed(fake, text, user(i, "U0F")) for i in range(plan.hostile_flood)]
    flood_shots = blast(url, flood, concurrency=len(flood), timeout=30)
    probes = blast(
        url, [signed(fake, "get pods -n prod", user(i, "U0R")) for i in range(5)], concurrency=5
    )
    return {
        "bytes": len(text),
        "ack_ms": round(shot.ack_seconds * 1000, 3),
        "answered_ms": None if arrived is None else round((arrived - shot.sent) * 1000, 3),
        "refused_ms": refused["p50_ms"] if refusals else None,
        "refused": refused,
        "refused_in": "ack" if in_ack else "reply" if arrived is not None else None,
        "floor_ack_ms": summary([s.ack_seconds for s in floor])["p50_ms"],
        "answer_wait_s": plan.hostile_wait,
        "reply": (_ack_text(shot.answer) if in_ack else str(reply.get("text", "")))[:120],
        "flood": len(flood_shots),
        "probe_ack_before": summary([s.ack_seconds for s in baseline if s.status == 200]),
        "probe_ack_during": summary([s.ack_seconds for s in probes if s.status == 200]),
        "probe_not_200_during": sum(1 for s in probes if s.status != 200),
    }


REFUSAL = "a command may have"
"""Words of the refusal of a command text over the bound."""


def _ack_text(answer: str) -> str:
    try:
        found = json.loads(answer)
    except ValueError:
        return answer
    return str(found.get("text", "")) if isinstance(found, dict) else answer


def notifier() -> Data:
    """The notifier's figures, once ``bot/notifier/`` has one."""
    package = Path(__file__).resolve().parent.parent / "bot" / "notifier"
    modules = [p for p in package.glob("*.py") if p.name != "__init__.py"]
    if not modules:
        return {"measured": False, "why": "not measured: no notifier yet"}
    return {"measured": False, "why": "not measured: the notifier's benchmark is not written yet"}
