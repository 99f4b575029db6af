"""``k8s-chatops sandbox`` in a real process, and the harness's start-up and loop door."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kubernetes import client, config

from kubesim.api.resources import by_kind
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.subprocess_env import child_env

SERVE = "import sys; from kubesim.cli import main; sys.exit(main(sys.argv[1:]))"


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "--scenario", "empty", "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith("Sandbox cluster (empty) serving at https://127.0.0.1:")
        assert lines[1] == f"Kubeconfig: {kubeconfig}\n"
        with config.new_client_from_config(config_file=str(kubeconfig)) as api:
            names = [n.metadata.name for n in client.CoreV1Api(api).list_namespace().items]
        assert "default" in names
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.rstrip().endswith("Sandbox stopped.")


def test_unknown_scenario_fails_to_start() -> None:
    with pytest.raises(ValueError, match="unknown scenario"), running_sandbox(scenario="nope"):
        pass


def test_call_runs_functions_and_coroutines_on_the_loop(still: Sandbox) -> None:
    async def rv_after_yield() -> int:
        await asyncio.sleep(0)
        return still.store.resource_version

    assert still.call(rv_after_yield) == still.call(lambda: still.store.resource_version)
    created = still.call(
        still.store.create,
        by_kind("ConfigMap"),
        {"metadata": {"name": "x", "namespace": "default"}},
    )
    assert created["metadata"]["name"] == "x"


def test_kubeconfig_carries_token_and_certificate(still: Sandbox) -> None:
    text = still.kubeconfig.read_text()
    assert still.token in text
    assert "certificate-authority-data" in text
    assert still.url.startswith("https://127.0.0.1:")


def test_controllers_run_in_the_default_fixture(sandbox: Sandbox) -> None:
    with sandbox.api_client() as api:
        apps = client.AppsV1Api(api)
        apps.create_namespaced_deployment(
            "default",
            {
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                    },
                },
            },
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = apps.read_namespaced_deployment_status("web", "default").status
            if status.available_replicas == 2:
                break
            time.sleep(0.05)
        assert status.available_replicas == 2
