"""The footprint of a real ``k8s-chatops run --mode http`` (start, memory over 1,000 commands)
and what a hostile 100 KB command costs it."""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from bench.apps import raw_floor, serving
from bench.harness import (
    blast,
    replies_by,
    running_bot,
    sandbox_process,
    signed,
    user,
)
from bench.memory import children, rss_kb, rss_kb_all
from bench.sections import Data, Plan
from bench.stats import summary
from tests.fakeslack import FakeSlack, running_fake_slack


def footprint(plan: Plan, workdir: Path) -> Data:
    """Start to ready, idle RSS, RSS after N commands; then a hostile 100 KB command."""
    with ExitStack() as stack:
        sandbox = stack.enter_context(sandbox_process(workdir, scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        bot = stack.enter_context(running_bot(workdir, sandbox, fake))
        url = bot.url
        idle = rss_kb_all(bot.pid)
        ack_idle = sum(rss_kb(child)["VmRSS"] for child in children(bot.pid))
        requests = [
            signed(fake, "get pods -n prod", user(i % 50)) for i in range(plan.footprint_commands)
        ]
        shots = []
        for start in range(0, len(requests), 100):  # bounded batches: each waits for its replies
            batch = blast(url, requests[start : start + 100], concurrency=10)
            replies_by(fake, [s.response_url for s in batch], timeout=60)
            shots += batch
        after = rss_kb_all(bot.pid)
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
