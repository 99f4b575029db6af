"""Every error the bot reports, in one hierarchy; only the transport turns them into replies.

    BotError
    ├── UsageError        the text is not a command we accept (bad syntax, refused verb or flag)
    ├── NotAllowed        the policy denies this subject this command
    ├── ConfigError       the settings file or environment is wrong (raised at start-up)
    └── ClusterError      the Kubernetes API refused or failed the request
        ├── NotFound      404: the object or resource type does not exist
        ├── Forbidden     403: the bot's identity (or the user it acts as) lacks a permission
        ├── Conflict      409: the object changed meanwhile, or already exists
        ├── Invalid       422/400: the server rejected the change as invalid
        ├── ClusterTimeout the cluster did not answer in time
        └── ClusterUnreachable no connection: refused, unknown host, TLS failure, dropped

Each message is one plain sentence a Slack user can act on.
"""

from __future__ import annotations


class BotError(Exception):
    """Root of the bot's errors; ``str(err)`` is the user-facing sentence."""


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters shown as escapes.

    Usage errors quote what the user typed, which may hold newlines; the reply must stay one line.
    """
    return "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


class UsageError(BotError):
    """The text could not be turned into a command we accept; always a one-line message."""

    def __init__(self, message: str, *, usage: str | None = None, hint: str | None = None) -> None:
        super().__init__(one_line(message))
        self.usage = usage
        """The verb's usage line, when the verb was recognised."""
        self.hint = one_line(hint) if hint is not None else None
        """A "did you mean" suggestion, when one is close."""


class NotAllowed(BotError):
    """The policy denies the command to this subject."""


class ConfigError(BotError):
    """The configuration is invalid; the message names the key and what was expected."""


class ClusterError(BotError):
    """The Kubernetes API refused or failed a request."""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        """HTTP status of the API response, when there was one."""
        self.reason = reason
        """The ``Status.reason`` from the API server, when there was one."""


class NotFound(ClusterError):
    """404 from the API server, or a resource type discovery does not list."""


class Forbidden(ClusterError):
    """403: the bot's identity (or the impersonated user) lacks a permission."""


class Conflict(ClusterError):
    """409: the object changed meanwhile, or already exists."""


class Invalid(ClusterError):
    """422 or 400: the server rejected the request as invalid."""


class ClusterTimeout(ClusterError):
    """The cluster did not answer within the configured time."""


class ClusterUnreachable(ClusterError):
    """No usable connection to the cluster: refused, unknown host, TLS failure or dropped."""
