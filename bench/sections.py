"""The measurements, one function per section; each returns plain data for the report. Here:
what to measure (``Plan``), the ack and the ack under load; ``get pods`` and logs are in
``bench.sizes``, the footprint and hostile input in ``bench.footprint``, the notifier in
``bench.notifier``.

Every loop is bounded in count and in time, and everything runs on loopback. Arms that are
compared are interleaved (round-robin batches), so that drift in the machine's load hits all.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.apps import bare_bolt, raw_floor, serving
from bench.harness import (
    api_client,
    blast,
    replies_by,
    running_bot,
    sandbox_process,
    signed,
    user,
)
from bench.stats import ratio, summary
from tests.fakeslack import ALICE, running_fake_slack

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
    get_rounds: tuple[int, ...] = (20, 20, 16)
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


def notifier() -> Data:
    """The notifier's figures, once ``bot/notifier/`` has one."""
    package = Path(__file__).resolve().parent.parent / "bot" / "notifier"
    modules = [p for p in package.glob("*.py") if p.name != "__init__.py"]
    if not modules:
        return {"measured": False, "why": "not measured: no notifier yet"}
    return {"measured": False, "why": "not measured: the notifier's benchmark is not written yet"}
