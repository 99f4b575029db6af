"""``k8s-chatops run`` as a real child process in HTTP mode, for tests that need more than one.

Each process gets its own working directory (its settings file, ``audit.jsonl`` and
``bot.log``), the fake Slack's tokens in a clean environment, the sandbox's kubeconfig and
``--ops-port 0``; leaving the block kills it if it still runs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kubesim.testing.harness import Sandbox
from tests.e2e.stack import SIGNING_SECRET
from tests.fakeslack import FakeSlack
from tests.subprocess_env import child_env


@contextmanager
def http_bot_process(
    workdir: Path,
    sandbox: Sandbox,
    fake: FakeSlack,
    port: int,
    *,
    settings: str = "",
    log_level: str = "INFO",
) -> Iterator[subprocess.Popen[bytes]]:
    """``k8s-chatops run`` serving HTTP on ``port``; ``settings``: more top-level sections of
    its settings file (after ``slack`` and ``audit``). ``workdir`` must not exist yet."""
    workdir.mkdir()
    config = workdir / "k8s-chatops.yaml"
    config.write_text(
        f"slack:\n  mode: http\n  port: {port}\naudit:\n  path: {workdir / 'audit.jsonl'}\n"
        f"{settings}"
    )
    env = child_env(
        drop=("KUBERNETES_", "SLACK_"),
        HOME=str(workdir),
        LOG_LEVEL=log_level,
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
    )
    argv = [sys.executable, "-m", "bot", "run", "--config", str(config), "--ops-port", "0"]
    argv += ["--kubeconfig", str(sandbox.kubeconfig)]
    with (workdir / "bot.log").open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
