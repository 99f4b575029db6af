"""The one-line announcement of a change, naming who did what where.

A change is posted to the channel so that everyone sees it; kubectl's own summary line
(``deployment.apps/web scaled``) says what happened but not who did it or where, so the
headline does: ``@alice scaled deployment/web in namespace prod to 4 replicas``. What each verb
says is in its spec (``VerbSpec.announce``).
"""

from __future__ import annotations

from bot.core.command import Command
from bot.core.subject import Subject
from bot.core.verbs.registry import spec_of


def announcement(subject: Subject, command: Command) -> str:
    """The headline for a change ``subject`` made with ``command``."""
    announce = spec_of(command).announce
    what = f"ran {command.verb}" if announce is None else announce(command)
    return f"@{subject.user_name} {what}"
