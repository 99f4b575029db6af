"""Log records as one JSON object per line (``k8s-chatops run``'s default), or text for people,
and the process's one handler that writes them (``configure_logging``).

A log store indexes a JSON line without a parsing rule: ``time`` (UTC, milliseconds),
``level``, ``event`` (the message), ``logger``, then the record's extra fields and, for a
failure, ``exception``. Every string is passed through ``bot.secrets.redact`` once more, so that
a token in an extra field is scrubbed like one in the message.
"""

from __future__ import annotations

import enum
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Final

from bot.secrets import RedactingFilter, redact


class LogFormat(enum.StrEnum):
    """``--log-format``."""

    JSON = "json"
    TEXT = "text"


TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_STANDARD: Final = frozenset(
    {*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message", "asctime", "taskName"}
)
"""The attributes every record has; anything else was passed with ``extra=`` and is a field."""


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (without the newline)."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": self._clean(record.getMessage()),
            "logger": record.name,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = self._clean(value) if isinstance(value, str) else value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = self._clean(record.exc_text)
        if record.stack_info:
            line["stack"] = self._clean(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)

    def _clean(self, text: str) -> str:
        return redact(text, self._secrets)


QUIETED: Final = (
    "slack_sdk",
    "slack_bolt",
    "bot.transport.bolt",
    "bot.transport.socket_mode",
    "kubernetes",
    "urllib3",
)
"""Libraries whose DEBUG records carry whole request and reply bodies (slack_sdk's requests,
Socket Mode envelopes, kubernetes.client.rest's responses, Secret data included): they log at
INFO at most, whatever ``LOG_LEVEL`` says."""


def configure_logging(
    level: str, secrets: Sequence[str] = (), *, log_format: LogFormat = LogFormat.TEXT
) -> None:
    """Standard logging, every record scrubbed of tokens and response URLs: JSON lines on
    stdout (beside the audit trail's), or text on stderr."""
    if log_format is LogFormat.JSON:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    floor = max(logging.getLevelNamesMapping()[level], logging.INFO)
    for name in QUIETED:
        logging.getLogger(name).setLevel(floor)
