"""The command line: help that documents everything, start-up errors as one line, cluster choice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli.parser import argument_parser as _parser
from bot.cli.parser import settings_for as _settings
from bot.cli.sandbox import CONSOLE_WITHOUT_CLUSTER, SANDBOX_MISSING
from bot.cluster import Cluster, find_cluster
from bot.errors import ConfigError
from bot.settings import Settings
from bot.settings.reference import ENVIRONMENT, reference
from bot.settings.sections import KubernetesSettings
from tests.subprocess_env import REPO, child_env


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys)
    for command in ("run", "console", "sandbox"):
        assert f"    {command} " in text


@pytest.mark.parametrize("command", ["run", "console"])
def test_command_help_lists_every_setting_and_variable(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    text = help_of(capsys, command)
    for key, default, _ in reference():
        assert f"  {key} = {default}\n" in text
    for variable in ENVIRONMENT:
        assert f"  {variable}\n" in text
    assert "--config PATH" in text
    assert "--kubeconfig PATH" in text
    assert "--context NAME" in text


def test_run_and_console_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--mode {socket,http}" in help_of(capsys, "run")
    assert "--port PORT" in help_of(capsys, "run")
    assert "--host HOST" in help_of(capsys, "run")
    console = help_of(capsys, "console")
    for flag in ("--as USER", "--channel", "--sandbox"):
        assert flag in console


def test_sandbox_is_delegated(capsys: pytest.CaptureFixture[str]) -> None:
    assert "usage: k8s-chatops sandbox" in help_of(capsys, "sandbox")


def test_host_flag_overrides_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    args = _parser().parse_args(["run", "--mode", "http", "--host", "0.0.0.0"])
    assert _settings(args, {}).slack.host == "0.0.0.0"


# The wheel and the image carry bot/ only (tests/deploy/test_image.py runs them for real); here
# the emulator's modules are hidden from this process's imports to reach the same lines.


def test_sandbox_without_the_emulator_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "kubesim.cli", None)
    assert main(["sandbox"]) == 2
    assert capsys.readouterr().err == f"k8s-chatops: error: {SANDBOX_MISSING}\n"


def test_console_without_a_cluster_or_the_emulator_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setitem(sys.modules, "kubesim.testing.harness", None)
    assert main(["console"]) == 2
    assert capsys.readouterr().err == f"k8s-chatops: error: {CONSOLE_WITHOUT_CLUSTER}\n"


def test_python_dash_m_bot_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=child_env(),
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("k8s-chatops ")


@pytest.mark.parametrize("command", ["run", "console"])
def test_bad_settings_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    config = tmp_path / "k8s-chatops.yaml"
    config.write_text("replies:\n  read_only: public\n", encoding="utf-8")
    assert main([command, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"k8s-chatops: error: {config}: replies.read_only: expected one of 'ephemeral', "
        "'in_channel', got 'public'\n"
    )


def test_bad_flag_values_are_named_by_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--port", "70000"]) == 2
    assert "error: --port: slack.port: expected a number at most 65535" in capsys.readouterr().err


def test_run_needs_the_tokens_of_its_mode(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    assert main(["run", "--mode", "socket"]) == 2
    assert "SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_FILE) and SLACK_APP_TOKEN" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2")
    assert main(["run", "--mode", "http"]) == 2
    assert (
        "SLACK_SIGNING_SECRET (or SLACK_SIGNING_SECRET_FILE) is required to run in http mode"
        in (capsys.readouterr().err)
    )


# --- which cluster -------------------------------------------------------------------------


def settings_with(kubeconfig: Path | None = None, context: str | None = None) -> Settings:
    return Settings(kubernetes=KubernetesSettings(kubeconfig=kubeconfig, context=context))


def test_in_a_pod_the_service_account_wins(tmp_path: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBECONFIG": str(tmp_path / "x")}
    found = find_cluster(settings_with(tmp_path / "kc"), env)
    assert found is not None
    assert found.in_cluster


def test_the_setting_beats_kubeconfig_env(tmp_path: Path) -> None:
    config = tmp_path / "kc"
    config.write_text("{}", encoding="utf-8")
    env = {"KUBECONFIG": str(tmp_path / "other"), "HOME": str(tmp_path)}
    assert find_cluster(settings_with(config, "ctx"), env) == Cluster(
        in_cluster=False, kubeconfig=config, context="ctx", label=f"kubeconfig {config}"
    )


def test_a_missing_configured_kubeconfig_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"kubernetes\.kubeconfig: the file .* does not exist"):
        find_cluster(settings_with(tmp_path / "absent"), {"HOME": str(tmp_path)})


def test_kubeconfig_env_then_home(tmp_path: Path) -> None:
    listed = tmp_path / "listed"
    listed.write_text("{}", encoding="utf-8")
    found = find_cluster(settings_with(context="c"), {"KUBECONFIG": str(listed)})
    assert found is not None
    assert (found.kubeconfig, found.context) == (None, "c")

    home_config = tmp_path / ".kube" / "config"
    home_config.parent.mkdir()
    home_config.write_text("{}", encoding="utf-8")
    found = find_cluster(settings_with(), {"HOME": str(tmp_path)})
    assert found is not None
    assert found.kubeconfig == home_config


def test_no_kubeconfig_anywhere(tmp_path: Path) -> None:
    assert find_cluster(settings_with(), {"HOME": str(tmp_path)}) is None
    env = {"HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "absent")}
    assert find_cluster(settings_with(), env) is None


# --- `run`, as an operator starts it ---------------------------------------------------------


def test_run_serves_the_slash_command_in_socket_mode(tmp_path: Path) -> None:
    from kubesim.testing.harness import running_sandbox
    from tests.fakeslack import SocketSlack, running_fake_slack

    config = tmp_path / "k8s-chatops.yaml"
    config.write_text(
        "kubernetes:\n  default_namespace: prod\n"
        "policy:\n  roles:\n    viewer:\n      rules:\n        - verbs: [get]\n"
        "  bindings:\n    - roles: [viewer]\n      users: ['*']\n",
        encoding="utf-8",
    )
    with running_sandbox(scenario="demo") as sandbox, running_fake_slack() as fake:
        env = child_env(
            drop=("SLACK_", "KUBE"),
            HOME=str(tmp_path),
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_APP_TOKEN=fake.app_token,
            SLACK_API_URL=fake.api_url,
            LOG_LEVEL="info",
        )
        argv = ["run", "--mode", "socket", "--config", str(config)]
        argv += ["--kubeconfig", str(sandbox.kubeconfig), "--log-format", "text", "--ops-port", "0"]
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=env,
        )
        try:
            fake.wait_for(lambda: fake.socket.live, timeout=60, what="the bot to connect")
            sent = SocketSlack(fake).command("get pods")
            answer = fake.wait_response(sent.response_url, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert answer.body["response_type"] == "ephemeral"
    assert "pods in namespace prod" in json.dumps(answer.body)
    audit = [json.loads(line) for line in out.splitlines()]
    assert [(a["user_id"], a["text"], a["outcome"]) for a in audit] == [
        ("U0ALICE", "get pods", "ok")
    ]
    assert "serving /k8s in socket mode" in err
    assert fake.bot_token not in err
    assert fake.app_token not in err
