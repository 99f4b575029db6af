"""Slack credentials, read only from the environment (or files it names) and never shown.

Tokens never come from the YAML file: a file is easy to commit or paste, the environment is
what Kubernetes Secrets and systemd credentials populate. Values are held as ``SecretStr`` so a
stray ``repr`` or log line prints ``**********``; ``redact`` is the defence in depth for text
that might still carry one (log records, audit lines).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, SecretStr

from bot.errors import ConfigError

SECRET_ENV: Final[Mapping[str, str]] = {
    "bot_token": "SLACK_BOT_TOKEN",
    "app_token": "SLACK_APP_TOKEN",
    "signing_secret": "SLACK_SIGNING_SECRET",
}
"""Field name -> environment variable; each also has a ``<NAME>_FILE`` variant."""

_PREFIXES: Final[Mapping[str, str]] = {"bot_token": "xoxb-", "app_token": "xapp-"}
"""What Slack's tokens start with; a mismatch is almost always a swapped variable."""

TOKEN_PATTERN: Final = re.compile(r"(?:xoxe\.)?xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
"""Slack token shapes (bot, user, app, refresh and rotated tokens)."""

RESPONSE_URL_PATTERN: Final = re.compile(
    r"https?://hooks\.slack\.com/[^\s'\"<>]*"
    r"|https?://[^\s'\"<>/]+/(?:commands|actions)/T[A-Z0-9]+/[^\s'\"<>]*"
)
"""Slack's ``response_url``s (``https://hooks.slack.com/commands/T…/…/…``, ``/actions/…``):
each lets its holder post as the app for 30 minutes, so it is a secret too."""

REDACTED: Final = "[REDACTED]"


class SlackSecrets(BaseModel):
    """The three Slack credentials; any may be absent (the console needs none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None

    def require(self, *fields: str, mode: str) -> None:
        """Fail at start-up, naming the variables, when the chosen mode lacks a credential."""
        missing = [SECRET_ENV[name] for name in fields if getattr(self, name) is None]
        if missing:
            names = " and ".join(f"{var} (or {var}_FILE)" for var in missing)
            verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
            msg = f"{names} {verb} required to run in {mode} mode; set {pronoun} in the environment"
            raise ConfigError(msg)

    def values(self) -> tuple[str, ...]:
        """The plain secret values, for the log filter to scrub; never print these."""
        found = (self.bot_token, self.app_token, self.signing_secret)
        return tuple(s.get_secret_value() for s in found if s is not None)


def load_secrets(env: Mapping[str, str]) -> SlackSecrets:
    """Read each credential from ``NAME`` or from the file ``NAME_FILE`` points at."""
    found: dict[str, SecretStr] = {}
    for field, var in SECRET_ENV.items():
        value = _read_one(env, var)
        if value is None:
            continue
        prefix = _PREFIXES.get(field)
        if prefix is not None and not value.startswith(prefix):
            msg = f"{var}: expected a Slack token starting with '{prefix}' (value not shown)"
            raise ConfigError(msg)
        found[field] = SecretStr(value)
    return SlackSecrets.model_validate(found)


def _read_one(env: Mapping[str, str], var: str) -> str | None:
    direct = env.get(var, "")
    file_name = env.get(f"{var}_FILE", "")
    if direct and file_name:
        msg = f"{var} and {var}_FILE are both set; set only one of them"
        raise ConfigError(msg)
    if file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as e:
            msg = f"{var}_FILE: cannot read {file_name!r} ({e.strerror or e}); check the path"
            raise ConfigError(msg) from e
        if not value:
            msg = f"{var}_FILE: the file {file_name!r} is empty"
            raise ConfigError(msg)
        return value
    return direct.strip() or None


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Replace token-shaped substrings, response URLs, and any of ``extra`` literal values,
    with a marker."""
    for value in extra:
        if value:
            text = text.replace(value, REDACTED)
    return RESPONSE_URL_PATTERN.sub(REDACTED, TOKEN_PATTERN.sub(REDACTED, text))


class RedactingFilter(logging.Filter):
    """Scrubs secrets from every record passing a handler, tracebacks included.

    Attach it to handlers (not loggers): a logger's filters do not see records propagated from
    child loggers, a handler's do.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, redact it, and drop the arguments it was built from."""
        record.msg = redact(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True
