"""Two real ``k8s-chatops run`` processes (HTTP mode) on one sandbox and the fake Slack: exactly
one posts, and when the leader is killed with SIGKILL mid-rollout (no release, no goodbye) the
other takes the Lease once it expires and finishes the same message, with no second post."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from kubernetes import client

from kubesim.testing.harness import Sandbox, running_sandbox
from tests.bot_processes import free_port, http_bot_process, wait_healthy
from tests.fakeslack import FakeSlack, running_fake_slack

CHANNEL = "C0DEPLOYS"
WAIT = 60.0
LEASE = 4
SETTINGS = f"""\
notifications:
  routes:
    - namespaces: ["*"]
      channel: {CHANNEL}
leader_election:
  lease_duration_seconds: {LEASE}
  renew_deadline_seconds: 3
  retry_period_seconds: 0.5
"""


@contextmanager
def bot_process(
    workdir: Path, sandbox: Sandbox, fake: FakeSlack, port: int
) -> Iterator[subprocess.Popen[bytes]]:
    with http_bot_process(workdir, sandbox, fake, port, settings=SETTINGS) as process:
        yield process


def holder(coordination: Any) -> str:
    """The Lease's holderIdentity (``host-PID-random``), or "" while nobody holds it."""
    try:
        lease = coordination.read_namespaced_lease("k8s-chatops", "default")
    except client.ApiException:
        return ""
    return str(lease.spec.holder_identity or "")


def pid_of(identity: str) -> int:
    return int(identity.rsplit("-", 2)[-2])


def top_messages(fake: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in fake.messages if m["channel"] == CHANNEL and not m["thread_ts"]]


def test_a_killed_leader_is_replaced_and_its_message_finished(tmp_path: Path) -> None:
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=20.0))
        fake = stack.enter_context(running_fake_slack())
        processes = {}
        for name in ("one", "two"):
            port = free_port()
            process = stack.enter_context(bot_process(tmp_path / name, sandbox, fake, port))
            processes[process.pid] = process
            wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
        api = sandbox.api_client()
        stack.callback(api.close)
        coordination = client.CoordinationV1Api(api)
        apps = client.AppsV1Api(api)

        first = fake.wait_for(lambda: holder(coordination), timeout=WAIT, what="a leader")
        leader = processes[pid_of(first)]
        (other,) = [p for p in processes.values() if p is not leader]
        template = {"spec": {"containers": [{"name": "web", "image": "nginx:doesnotexist"}]}}
        body = {"spec": {"template": template, "progressDeadlineSeconds": 300}}
        apps.patch_namespaced_deployment("web", "prod", body)
        (message,) = fake.wait_for(lambda: top_messages(fake), timeout=WAIT, what="the post")
        assert "failed" not in message["text"].split("\n")[0]

        leader.send_signal(signal.SIGKILL)  # mid-rollout: the lease is left to expire
        leader.wait(timeout=10)
        mark = len(fake.calls)
        second = fake.wait_for(
            lambda: holder(coordination) not in ("", first) and holder(coordination),
            timeout=WAIT,
            what="the take-over",
        )
        assert pid_of(second) == other.pid

        def failed() -> list[dict[str, Any]]:
            return [m for m in top_messages(fake) if m["text"].split("\n")[0].endswith("failed")]

        (done,) = fake.wait_for(failed, timeout=WAIT, what="the failed outcome")
        assert done["ts"] == message["ts"]
        assert len(top_messages(fake)) == 1
        updates = [
            c
            for c in fake.calls[mark:]
            if c.method == "chat.update" and c.ok and c.params.get("ts") == message["ts"]
        ]
        assert updates, "the new leader did not edit the message"
        posts = [c for c in fake.calls if c.method == "chat.postMessage" and c.ok]
        assert [c.params.get("channel") for c in posts if not c.params.get("thread_ts")] == [
            CHANNEL
        ]
        assert other.poll() is None
