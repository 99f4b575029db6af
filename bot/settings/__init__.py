"""The bot's settings: one YAML file plus the environment, validated once at start-up.

Everything the bot can be told lives in one frozen ``Settings`` object, so a mistake surfaces
before the bot connects to Slack, as one line naming the key and what was expected::

    config/k8s-chatops.yaml: replies.read_only: expected one of 'ephemeral', 'in_channel',
    got 'public'

Secrets come only from the environment (``bot.secrets``); a token-looking key or value in the
file is refused rather than silently ignored.

``sections`` and ``notifications`` hold the sections' models, ``settings`` the whole,
``loading`` reads the file, the environment and the command line into it, and ``reference``
lists what ``--help`` shows.
"""

from bot.settings.loading import load_settings
from bot.settings.sections import SlackMode
from bot.settings.settings import Settings

__all__ = ["Settings", "SlackMode", "load_settings"]
