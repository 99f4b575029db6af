"""Settings: one YAML file plus the environment, refused at start-up with the key's path."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pydantic
import pytest

from bot.core.impersonation import Impersonation
from bot.core.reply import Visibility
from bot.errors import ConfigError
from bot.secrets import SECRET_ENV, RedactingFilter, load_secrets, redact
from bot.settings import Settings, SlackMode, load_settings
from bot.settings.loading import DEFAULT_PATH, Override
from bot.settings.reference import ENVIRONMENT, reference
from bot.settings.settings import FILE_SECTIONS, LogLevel

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / DEFAULT_PATH


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "k8s-chatops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_to_the_defaults() -> None:
    loaded = load_settings(EXAMPLE, env={})
    assert loaded.model_dump(exclude={"source"}) == Settings().model_dump(exclude={"source"})
    assert loaded.source == EXAMPLE


def test_example_file_documents_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key, _default, description in reference():
        section, name = key.split(".")
        assert f"\n{section}:" in text
        assert f"  {name}:" in text, key
        assert description, key


def test_missing_default_file_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.source is None
    assert settings.slack.mode is SlackMode.SOCKET


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: cannot read the settings file"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
slack: {mode: http, port: 8080}
kubernetes: {default_namespace: prod, context: staging}
replies: {read_only: in_channel}
policy: {admins: [U012AB3CD, W0ABC]}
confirmations: {expiry_minutes: 2}
audit: {path: /var/log/audit.jsonl}
""",
    )
    settings = load_settings(path, env={})
    assert settings.slack.mode is SlackMode.HTTP
    assert settings.slack.port == 8080
    assert settings.kubernetes.default_namespace == "prod"
    assert settings.kubernetes.context == "staging"
    assert settings.replies.read_only is Visibility.IN_CHANNEL
    assert settings.policy.admins == ("U012AB3CD", "W0ABC")
    assert settings.confirmations.expiry_minutes == 2
    assert settings.audit.path == "/var/log/audit.jsonl"


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(pydantic.ValidationError):
        settings.slack.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "replies:\n  read_only: public\n",
            "replies.read_only: expected one of 'ephemeral', 'in_channel', got 'public'",
        ),
        (
            "slack:\n  mode: websocket\n",
            "slack.mode: expected one of 'socket', 'http', got 'websocket'",
        ),
        ("slack:\n  port: abc\n", "slack.port: expected an integer, got 'abc'"),
        ("slack:\n  port: 70000\n", "slack.port: expected a number at most 65535, got 70000"),
        (
            "slack:\n  command: k8s\n",
            "slack.command: expected a slash command such as '/k8s', got 'k8s'",
        ),
        ("slack:\n  api_url: slack.com\n", "slack.api_url: expected an http(s) URL"),
        ("slack:\n  port:\n", "slack.port: expected an integer, got nothing"),
        ("slack: 3\n", "slack: expected a mapping of settings, got 3"),
        (
            "kubernetes:\n  request_timeout_seconds: 0\n",
            "kubernetes.request_timeout_seconds: expected a number greater than 0, got 0",
        ),
        (
            "kubernetes:\n  default_namespace: Prod\n",
            "kubernetes.default_namespace: expected a namespace name",
        ),
        ("kubernetes:\n  log_tail_lines: many\n", "kubernetes.log_tail_lines: expected an integer"),
        ("policy:\n  admins: U012AB3CD\n", "policy.admins: expected a list, got 'U012AB3CD'"),
        (
            "policy:\n  admins: [U012AB3CD, alice]\n",
            "policy.admins[1]: expected a Slack user id such as 'U012AB3CD' (not a name), "
            "got 'alice'",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [scael]\n",
            "policy.roles.ops.rules[0].verbs[0]: unknown verb 'scael'; expected '*' or one of:",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [get]\n"
            "          resources: [widgets]\n",
            "policy.roles.ops.rules[0].resources[0]: unknown resource 'widgets'; expected '*', "
            "a built-in type's plural",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [get]\n"
            "          max_replicas: 3\n",
            "policy.roles.ops.rules[0]: max_replicas applies only to scale, which this rule",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [scale]\n"
            "          images: [nginx*]\n",
            "policy.roles.ops.rules[0]: images applies only to set-image",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [get]\n"
            "          namespace: [prod]\n",
            "policy.roles.ops.rules[0].namespace: unknown key; did you mean 'namespaces'?",
        ),
        (
            "policy:\n  roles:\n    ops:\n      rules:\n        - verbs: [get]\n"
            "          namespaces: [Prod]\n",
            "policy.roles.ops.rules[0].namespaces[0]: expected a namespace name or glob such as "
            "'prod' or 'prod-*' (lowercase), got 'Prod'",
        ),
        (
            "policy:\n  bindings:\n    - roles: [viewer]\n      users: ['*']\n",
            "policy: bindings[0].roles: unknown role 'viewer'; expected one of: admin",
        ),
        (
            "policy:\n  bindings:\n    - roles: [admin]\n      groups: [deployers]\n",
            "policy.bindings[0].groups[0]: expected a Slack user group id such as 'S0123ABCD'",
        ),
        (
            "policy:\n  bindings:\n    - roles: [admin]\n",
            "policy.bindings[0]: a binding needs users or groups",
        ),
        (
            "policy:\n  roles:\n    rm:\n      rules:\n        - verbs: ['*']\n"
            "          approvers: [sre]\n",
            "policy: roles.rm.rules[0].approvers: unknown role 'sre'",
        ),
        (
            "policy:\n  roles:\n    admin:\n      rules:\n        - verbs: ['*']\n",
            "policy: roles: 'admin' is built in",
        ),
        (
            "confirmations:\n  expiry_minutes: 60\n",
            "confirmations.expiry_minutes: expected a number at most 30, got 60",
        ),
        (
            "confirmations:\n  scale_up_factor: 0\n",
            "confirmations.scale_up_factor: expected a number at least 1, got 0",
        ),
        (
            "replies:\n  read_onyl: ephemeral\n",
            "replies.read_onyl: unknown key; did you mean 'read_only'? "
            "expected one of: changes, errors, read_only",
        ),
        ("replys: {}\n", "replys: unknown key; did you mean 'replies'?"),
        ("log_level: DEBUG\n", "log_level: unknown key"),
        ("- a\n- b\n", "expected a mapping of settings at the top level"),
        ("slack: [\n", "line 2, column 1: "),
    ],
)
def test_bad_values_name_the_key_and_the_expectation(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_the_issue_example_reads_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "k8s-chatops.yaml").write_text("replies:\n  read_only: public\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={})
    assert str(caught.value) == (
        "config/k8s-chatops.yaml: replies.read_only: expected one of 'ephemeral', "
        "'in_channel', got 'public'"
    )


def test_empty_sections_mean_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "replies:\npolicy:\n")
    assert load_settings(path, env={}).replies == Settings().replies


@pytest.mark.parametrize(
    ("yaml_text", "where"),
    [
        ("slack:\n  bot_token: xoxb-1-2-abc\n", "slack.bot_token"),
        ("slack:\n  signing_secret: abc\n", "slack.signing_secret"),
        ("secrets:\n  x: 1\n", "secrets"),
        ("policy:\n  admins: [xoxp-123-456]\n", "policy.admins[0]"),
        ("audit:\n  path: /tmp/xapp-1-A0-123\n", "audit.path"),
    ],
)
def test_secrets_in_the_file_are_refused_without_echoing_them(
    tmp_path: Path, yaml_text: str, where: str
) -> None:
    path = write(tmp_path, yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert message.startswith(f"{path}: {where}: ")
    assert "only from the environment" in message
    assert "SLACK_BOT_TOKEN" in message
    assert "xoxb-1" not in message
    assert "xoxp-" not in message
    assert "xapp-1" not in message


def test_environment_and_overrides_win_and_are_named_in_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "slack: {mode: http, port: 3000, api_url: 'https://a.example/api/'}\n")
    settings = load_settings(
        path,
        env={"SLACK_API_URL": "http://127.0.0.1:9/api", "LOG_LEVEL": "debug"},
        overrides=(
            Override("slack.port", 4000, "--port"),
            Override("kubernetes.context", None, "--context"),
        ),
    )
    assert settings.slack.api_url == "http://127.0.0.1:9/api/"
    assert settings.slack.port == 4000
    assert settings.log_level is LogLevel.DEBUG
    assert settings.kubernetes.context is None

    with pytest.raises(ConfigError, match=r"^--port: slack\.port: expected an integer, got 'x'$"):
        load_settings(path, env={}, overrides=(Override("slack.port", "x", "--port"),))
    with pytest.raises(ConfigError, match=r"^SLACK_API_URL: slack\.api_url: expected an http"):
        load_settings(path, env={"SLACK_API_URL": "ftp://x"})
    with pytest.raises(ConfigError, match=r"^LOG_LEVEL: log_level: expected one of 'DEBUG'"):
        load_settings(path, env={"LOG_LEVEL": "loud"})


def test_secrets_come_from_env_or_files_and_never_show(tmp_path: Path) -> None:
    app_file = tmp_path / "app-token"
    app_file.write_text("xapp-1-A0-secretvalue\n", encoding="utf-8")
    settings = load_settings(
        EXAMPLE,
        env={
            "SLACK_BOT_TOKEN": "xoxb-1-2-botsecret",
            "SLACK_APP_TOKEN_FILE": str(app_file),
            "SLACK_SIGNING_SECRET": "signsecret",
        },
    )
    secrets = settings.secrets
    assert secrets.bot_token is not None
    assert secrets.bot_token.get_secret_value() == "xoxb-1-2-botsecret"
    assert secrets.app_token is not None
    assert secrets.app_token.get_secret_value() == "xapp-1-A0-secretvalue"
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "botsecret" not in shown
        assert "secretvalue" not in shown
        assert "signsecret" not in shown


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLACK_BOT_TOKEN": "a", "SLACK_BOT_TOKEN_FILE": "/x"}, "are both set"),
        ({"SLACK_BOT_TOKEN_FILE": "/nonexistent/token"}, "SLACK_BOT_TOKEN_FILE: cannot read"),
        ({"SLACK_BOT_TOKEN": "xapp-1-2"}, "SLACK_BOT_TOKEN: expected a Slack token starting"),
        ({"SLACK_APP_TOKEN": "xoxb-1-2"}, "SLACK_APP_TOKEN: expected a Slack token starting"),
    ],
)
def test_bad_secret_environment(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_secrets(env)
    assert "xapp-1-2" not in str(caught.value)
    assert "xoxb-1-2" not in str(caught.value)


def test_empty_secret_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        load_secrets({"SLACK_SIGNING_SECRET_FILE": str(empty)})


@pytest.mark.parametrize(
    ("fields", "mode", "message"),
    [
        (("bot_token", "app_token"), "socket", "SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_FILE) and"),
        (
            ("signing_secret",),
            "http",
            "SLACK_SIGNING_SECRET (or SLACK_SIGNING_SECRET_FILE) is required to run in http mode; "
            "set it",
        ),
    ],
)
def test_required_secrets_are_named(fields: tuple[str, ...], mode: str, message: str) -> None:
    secrets = load_secrets({})
    with pytest.raises(ConfigError, match=re.escape(message)):
        secrets.require(*fields, mode=mode)


def test_present_secrets_satisfy_require() -> None:
    secrets = load_secrets({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    secrets.require("bot_token", "app_token", mode="socket")
    assert secrets.values() == ("xoxb-1", "xapp-1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("token xoxb-123-456-abcDEF here", "token [REDACTED] here"),
        ("xapp-1-A012-999-ff", "[REDACTED]"),
        ("xoxp-1-2 and xoxe.xoxp-1-abc", "[REDACTED] and [REDACTED]"),
        ("plain text", "plain text"),
        ("signing s3cr3t", "signing [REDACTED]"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text, ("s3cr3t",)) == expected


def test_log_filter_redacts_messages_arguments_and_tracebacks() -> None:
    record_filter = RedactingFilter(("hunter2",))
    try:
        raise RuntimeError("boom xoxb-9-9-secret")
    except RuntimeError as e:
        record = logging.LogRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "token %s and %s",
            ("xapp-1-2-3", "hunter2"),
            (type(e), e, e.__traceback__),
        )
    assert record_filter.filter(record)
    formatted = logging.Formatter().format(record)
    assert "token [REDACTED] and [REDACTED]" in formatted
    assert "RuntimeError: boom [REDACTED]" in formatted
    assert "secret" not in formatted
    assert "hunter2" not in formatted


def test_policy_normalises_short_names_and_builds_roles(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "policy:\n  roles:\n    dev:\n      rules:\n"
        "        - verbs: [scale]\n          resources: [deploy, Certificates.cert-manager.io]\n"
        "          max_replicas: 5\n"
        "  bindings:\n    - roles: [dev]\n      groups: [S0DEV]\n      channels: [C0DEV]\n"
        "  admins: [U0ROOT]\n"
    )
    policy = load_settings(path, env={}).policy.to_policy("U0LOCAL")
    rule = policy.roles["dev"].rules[0]
    assert rule.resources == ("deployments", "certificates.cert-manager.io")
    assert (rule.max_replicas, rule.scale_to_zero) == (5, False)
    assert policy.admins == {"U0ROOT", "U0LOCAL"}
    assert policy.bindings[0].label == "policy.bindings[0]"
    assert policy.bindings[0].groups == {"S0DEV"}


def test_reference_lists_every_file_setting() -> None:
    keys = [key for key, _, _ in reference()]
    expected = [
        f"{section}.{name}"
        for section in FILE_SECTIONS
        for name in type(getattr(Settings(), section)).model_fields
    ]
    assert keys == expected
    assert "kubernetes.rollout_status_timeout_seconds" in keys


def test_readme_documents_every_setting_and_variable() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = EXAMPLE.read_text(encoding="utf-8")
    for key, _default, _description in reference():
        assert f"`{key}`" in readme, key
    for name in ENVIRONMENT:
        assert f"`{name}`" in readme, name
        assert name in example, name
    for name in SECRET_ENV.values():
        assert f"`{name}_FILE`" in readme, name
        assert f"{name}_FILE" in example, name


def test_reference_shows_policy_defaults() -> None:
    shown = {key: default for key, default, _ in reference()}
    assert (shown["policy.roles"], shown["policy.bindings"]) == ("{}", "[]")


def test_notification_routes_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "notifications:\n  routes:\n"
        "    - namespaces: [prod, prod-*]\n      selector: team=payments\n      channel: C0PAY\n"
        "    - channel: C0DEPLOYS\n",
    )
    notifications = load_settings(path, env={}).notifications
    assert notifications.active
    assert notifications.routes[0].namespaces == ("prod", "prod-*")
    assert notifications.routes[1].namespaces == ("*",)
    assert not Settings().notifications.active


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "notifications:\n  routes:\n    - channel: '#deploys'\n",
            "notifications.routes[0].channel: expected a Slack channel id",
        ),
        (
            "notifications:\n  routes:\n    - channel: C1\n      selector: team\n",
            "expected a label selector such as 'team=payments'",
        ),
        ("notifications:\n  namespaces: [Prod]\n", "expected a namespace name or glob"),
        (
            "leader_election:\n  lease_duration_seconds: 5\n",
            "lease_duration_seconds must be greater than renew_deadline_seconds",
        ),
        ("leader_election:\n  lease_nam: x\n", "leader_election.lease_nam"),
    ],
)
def test_notification_settings_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(write(tmp_path, text), env={})


def test_impersonation_templates_are_read_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kubernetes:\n  impersonate:\n    user: '{email}'\n    extra_groups: [chatops]\n",
    )
    impersonate = load_settings(path, env={}).kubernetes.impersonate
    assert impersonate is not None
    assert impersonate.to_impersonation() == Impersonation(
        user="{email}", group="slack:{handle}", extra_groups=("chatops",)
    )
    bad = write(tmp_path, "kubernetes:\n  impersonate:\n    group: 'slack:{name}'\n")
    with pytest.raises(ConfigError, match=r"kubernetes\.impersonate\.group: .*it may use"):
        load_settings(bad, env={})
