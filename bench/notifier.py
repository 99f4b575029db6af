"""The notifier's figures: how soon a rollout's state change reaches Slack, and the bot's memory
while it watches a 10,000-Deployment cluster.

Both run a real ``k8s-chatops run --mode http`` child with notifications routed to the fake
Slack, at the production timings (a half-second tick, one edit per three seconds, bursts
batched over a second). The delay is measured from the moment the sandbox commits the
Deployment's change (the revision going up; the status saying "successfully rolled out") to the
moment the fake Slack receives the ``chat.postMessage`` (started) or the ``chat.update`` that
says complete, over a run of rollouts one after another. The memory is the child's RSS from
``/proc`` once it has listed and is watching every Deployment of the ``scale`` scenario, then
after rollouts there; beside it the same on the demo cluster (nine Deployments).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.harness import running_bot
from bench.sections import SMOKE, Plan
from bench.stats import summary
from bot.core import rollout, rollout_status
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack import FakeSlack, running_fake_slack

Data = dict[str, Any]
CHANNEL = "C0BENCH"
NOTIFY = f"""\
notifications:
  routes:
    - namespaces: ["*"]
      channel: {CHANNEL}
"""


@dataclass(frozen=True, slots=True)
class Counts:
    """How much to measure."""

    rollouts: int = 20
    """Rollouts one after another on the demo cluster, for the delays."""
    deployments: int = 10_000
    """Deployments (one pod each) of the scale scenario, for the memory."""
    scale_rollouts: int = 5
    """Rollouts there while the memory is watched."""
    settle: float = 10.0
    """Seconds of RSS samples after the first list."""


PACE = 2.0
"""Seconds between the starts of two rollouts of the delay run (above the batch window)."""
SMOKE_COUNTS = Counts(rollouts=2, deployments=50, scale_rollouts=1, settle=1.0)


def measure(plan: Plan, workdir: Path) -> Data:
    """Both figures; the smoke plan runs tiny counts."""
    counts = SMOKE_COUNTS if plan == SMOKE else Counts()
    with running_fake_slack() as fake:
        delays = _delays(counts, workdir / "demo", fake)
    with running_fake_slack() as fake:
        memory = _memory(counts, workdir / "scale", fake)
    memory["demo_rss_mb"] = delays.pop("rss_mb")
    start, complete = delays["started"], delays["complete"]
    why = (
        f"measured: state change -> post p50 {start['p50_ms']} ms, worst {start['max_ms']} ms; "
        f"-> complete edit p50 {complete['p50_ms']} ms, worst {complete['max_ms']} ms "
        f"({start['n']} rollouts); RSS {memory['rss_watching_mb']} MB watching "
        f"{memory['deployments']:,} Deployments ({memory['demo_rss_mb']} MB on the demo cluster)"
    )
    return {"measured": True, "why": why, "delays": delays, "memory": memory}


# --- the child --------------------------------------------------------------------------------


def _rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return round(fields["VmRSS"], 1), round(fields["VmHWM"], 1)


def _watching(sandbox: Sandbox) -> bool:
    """Whether the bot listed the Deployments and opened its watch."""
    return bool(
        sandbox.requests.matching(
            method="GET", path="/apis/apps/v1/deployments", query={"watch": "true"}
        )
    )


# --- delays ------------------------------------------------------------------------------------


@dataclass
class _Seen:
    """When our own watch saw each revision start and complete (monotonic seconds)."""

    started: dict[int, float] = field(default_factory=dict)
    complete: dict[int, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _observe(sandbox: Sandbox, namespace: str, name: str, seen: _Seen) -> Callable[[], None]:
    """Record when the sandbox commits each revision's start and completion (a store
    subscriber, on the sandbox's loop); returns the unsubscribe."""

    def heard(kind: str, rt: Any, obj: dict[str, Any]) -> None:
        meta = obj.get("metadata", {})
        if rt.kind != "Deployment" or kind == "DELETED":
            return
        if meta.get("namespace") != namespace or meta.get("name") != name:
            return
        at = time.monotonic()
        revision = rollout.revision(obj) or 0
        with seen.lock:
            seen.started.setdefault(revision, at)
            if rollout_status.status(obj).done:
                seen.complete.setdefault(revision, at)

    unsubscribe: Callable[[], None] = sandbox.call(lambda: sandbox.store.subscribe(heard))
    return lambda: sandbox.call(unsubscribe)


def _delays(counts: Counts, workdir: Path, fake: FakeSlack) -> Data:
    started: list[float] = []
    complete: list[float] = []
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=20.0))
        child = stack.enter_context(
            running_bot(workdir, sandbox.kubeconfig, fake, sections=NOTIFY, start_seconds=120)
        )
        fake.wait_for(lambda: _watching(sandbox), timeout=60, what="the bot's watch")
        api = sandbox.api_client()
        stack.callback(api.close)
        apps = client.AppsV1Api(api)
        seen = _Seen()
        stack.callback(_observe(sandbox, "prod", "web", seen))
        last_start = 0.0
        for index in range(counts.rollouts):
            # Paced: a start within the notifier's one-second batch window of the last one
            # waits for a possible burst (a digest), which is not the delay measured here.
            time.sleep(max(0.0, last_start + PACE - time.monotonic()))
            last_start = time.monotonic()
            image = f"nginx:1.27.{index}"  # a published shape: nginx has no 1.30 yet
            template = {"spec": {"containers": [{"name": "web", "image": image}]}}
            apps.patch_namespaced_deployment("web", "prod", {"spec": {"template": template}})
            revision = 3 + index
            post = fake.wait_for(
                functools.partial(_posted, fake, revision),
                timeout=60,
                what=f"revision {revision}'s post",
            )
            posted_at = time.monotonic()
            ts = str(post.response["ts"])
            fake.wait_for(
                functools.partial(_completed, fake, ts), timeout=60, what="the complete edit"
            )
            completed_at = time.monotonic()
            with seen.lock:  # a commit our subscriber did not see as such is not timed
                if revision in seen.started:
                    started.append(posted_at - seen.started[revision])
                if revision in seen.complete:
                    complete.append(completed_at - seen.complete[revision])
        rss, _ = _rss_mb(child.pid)
    return {
        "rollouts": len(started),
        "started": summary(started),
        "complete": summary(complete),
        "rss_mb": rss,
    }


def _posted(fake: FakeSlack, revision: int) -> Any:
    for call in fake.calls_to("chat.postMessage"):
        if call.ok and f"revision {revision}:" in str(call.params.get("text", "")):
            return call
    return None


def _completed(fake: FakeSlack, ts: str) -> bool:
    """Whether message ``ts`` says complete (edited so, or posted so when the rollout was
    over before the notifier saw it start)."""
    for call in [*fake.calls_to("chat.postMessage"), *fake.calls_to("chat.update")]:
        sent = call.params.get("ts") or call.response.get("ts")
        if call.ok and sent == ts and str(call.params["text"]).endswith("complete"):
            return True
    return False


# --- memory -----------------------------------------------------------------------------------


def _memory(counts: Counts, workdir: Path, fake: FakeSlack) -> Data:
    with ExitStack() as stack:
        began = time.monotonic()
        sandbox = stack.enter_context(
            running_sandbox(
                scenario="scale",
                pods=counts.deployments,
                deployments=counts.deployments,
                speed=20.0,
            )
        )
        sandbox_start = time.monotonic() - began
        child = stack.enter_context(
            running_bot(workdir, sandbox.kubeconfig, fake, sections=NOTIFY, start_seconds=120)
        )
        began = time.monotonic()
        fake.wait_for(lambda: _watching(sandbox), timeout=300, what="the bot's watch")
        listed = time.monotonic() - began
        samples = []
        deadline = time.monotonic() + counts.settle
        while time.monotonic() < deadline:
            samples.append(_rss_mb(child.pid)[0])
            time.sleep(0.5)  # sampling memory: there is no event to wait on
        watching = max(samples)
        api = sandbox.api_client()
        stack.callback(api.close)
        apps = client.AppsV1Api(api)
        names = [
            d.metadata.name
            for d in apps.list_namespaced_deployment("default", limit=counts.scale_rollouts).items
        ]
        for name in names:  # one after another: each is its own message, not a digest
            found = apps.read_namespaced_deployment(name, "default")
            container = found.spec.template.spec.containers[0].name
            template = {"spec": {"containers": [{"name": container, "image": "nginx:1.28"}]}}
            apps.patch_namespaced_deployment(name, "default", {"spec": {"template": template}})
            fake.wait_for(
                functools.partial(_rolled_out, fake, name),
                timeout=120,
                what=f"{name}'s complete edit",
            )
        after, peak = _rss_mb(child.pid)
    return {
        "deployments": counts.deployments,
        "pods": counts.deployments,
        "sandbox_start_s": round(sandbox_start, 1),
        "list_and_watch_s": round(listed, 2),
        "rss_watching_mb": watching,
        "rollouts": len(names),
        "rss_after_rollouts_mb": after,
        "peak_rss_mb": peak,
        "messages": len([c for c in fake.calls_to("chat.postMessage") if c.ok]),
    }


def _rolled_out(fake: FakeSlack, name: str) -> bool:
    """Whether the message of ``default/NAME``'s rollout says complete."""
    head = f"Rollout of deployment default/{name} revision "
    return any(
        call.ok
        and str(call.params.get("text", "")).startswith(head)
        and str(call.params["text"]).endswith("complete")
        for call in [*fake.calls_to("chat.postMessage"), *fake.calls_to("chat.update")]
    )
