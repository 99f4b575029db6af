"""From a gateway ``Result`` (and the command that produced it) to the parts of a ``Reply``.

Shared by the console and Slack so that both say the same thing: one headline that stands alone
(the notification text), the output as preformatted text with a file name fit for an attachment,
and kubectl's stderr notes as small print. ``bot.core.replies`` adds who asked and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.command import Command
from bot.core.lexicon import PLURALS, SINGULAR
from bot.core.render_text import table_text
from bot.core.reply import Paragraph, Part, Preformatted, Reply, Tone, Visibility
from bot.core.results import Change, Document, Result, Table
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get, OutputFormat
from bot.core.verbs.help import Help
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.top import Top
from bot.core.verbs.version import Version
from bot.core.wording import in_namespace, is_rows_bound

HEADLINE_LIMIT: Final = 150
"""Longest headline: Slack shows about this much of a notification, and a header block holds
150 characters."""

_UNSAFE_FILENAME: Final = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSIONS: Final = {"yaml": "yaml", "json": "json", "log": "log"}


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a result says, before the service decides who sees it."""

    headline: str
    parts: tuple[Part, ...] = ()
    tone: Tone = Tone.INFO
    notes: tuple[str, ...] = ()
    """kubectl's stderr lines (warnings, "Defaulted container ..."): small print."""

    def reply(
        self, *, visibility: Visibility = Visibility.EPHEMERAL, context: tuple[str, ...] = ()
    ) -> Reply:
        """The reply, with ``context`` (who asked, the namespace) after the notes."""
        return Reply(
            headline=self.headline,
            parts=self.parts,
            tone=self.tone,
            visibility=visibility,
            context=(*self.notes, *context),
        )


def render_result(result: Result, command: Command | None = None) -> Rendered:
    """Headline, parts and tone for one result; ``command`` names things when it is known.

    A row bound that cut the output is said first, above the output, not in the small print
    after it: a reader who sees 50,000 rows must know before reading that there are more.
    """
    if isinstance(result, Table):
        rendered = _table(result, command)
    elif isinstance(result, Change):
        details = (Paragraph("\n".join(result.details)),) if result.details else ()
        rendered = Rendered(_clip(result.summary), details, Tone.SUCCESS, result.notes)
    else:
        rendered = _document(result, command)
    bounds = tuple(note for note in rendered.notes if is_rows_bound(note))
    if not bounds:
        return rendered
    return Rendered(
        rendered.headline,
        (*(Paragraph(note) for note in bounds), *rendered.parts),
        rendered.tone,
        tuple(note for note in rendered.notes if not is_rows_bound(note)),
    )


def _table(table: Table, command: Command | None) -> Rendered:
    if not table.rows:
        return Rendered(_clip(table.empty_message), (), Tone.INFO, table.notes)
    count = len(table.rows)
    title = subject(command) if command is not None else "result"
    headline = f"{title} ({count} row{'s' if count != 1 else ''})"
    text = table_text(table)
    return Rendered(
        _clip(headline), (Preformatted(text, _filename(command, "txt")),), notes=table.notes
    )


def _document(document: Document, command: Command | None) -> Rendered:
    text = document.text.rstrip("\n")
    extension = _EXTENSIONS.get(document.syntax, "txt")
    tone = Tone.ERROR if document.failed else Tone.INFO
    if isinstance(command, Rollout) and command.action is RolloutAction.STATUS:
        # The newest line is the headline; with several, the body is kubectl's whole output,
        # oldest first, so the progression reads in the order it happened.
        lines = text.splitlines()
        last = lines[-1] if lines else "rollout status"
        if document.failed:
            # kubectl's last line is its "error: ..." on stderr: the headline says it once (an
            # error's tone adds the prefix), the body keeps what came before it.
            body = "\n".join(lines[:-1])
            parts = (Preformatted(body, _filename(command, "txt")),) if body else ()
            return Rendered(_clip(last.removeprefix("error: ")), parts, tone, document.notes)
        tone = Tone.SUCCESS if "successfully rolled out" in last else Tone.INFO
        parts = (Preformatted(text, _filename(command, "txt")),) if len(lines) > 1 else ()
        return Rendered(_clip(last), parts, tone, document.notes)
    if command is None:
        first = text.splitlines()[0] if text else "(no output)"
        headline = first
    else:
        headline = subject(command)
    if not text:
        empty = "(no log lines)" if isinstance(command, Logs) else "(no output)"
        return Rendered(_clip(headline), (Paragraph(empty),), tone, document.notes)
    part = Preformatted(text, _filename(command, extension))
    return Rendered(_clip(headline), (part,), tone, document.notes)


def subject(command: Command) -> str:
    """What a command is about, in a few words: ``pods in namespace prod``."""
    match command:
        case Get():
            what = _get_subject(command)
            if command.selector:
                what += f" matching {command.selector}"
            if command.all_namespaces:
                return f"{what} in all namespaces"
            return what + in_namespace(command.namespace, resource=plural(command.resource))
        case Describe():
            what = SINGULAR.get(command.resource, command.resource)
            name = f"{what} {command.name}" if command.name else command.resource
            if command.selector:
                name += f" matching {command.selector}"
            return f"describe {name}{in_namespace(command.namespace, resource=command.resource)}"
        case Logs():
            source = f"{command.kind}/{command.name}" if command.name else command.selector or ""
            container = f", container {command.container}" if command.container else ""
            previous = " (previous run)" if command.previous else ""
            return f"logs of {source}{container}{previous}{in_namespace(command.namespace)}"
        case Rollout():
            where = in_namespace(command.namespace)
            return f"rollout {command.action} deployment/{command.name}{where}"
        case Scale() | SetImage():
            return f"deployment/{command.name}{in_namespace(command.namespace)}"
        case Delete():
            what = command.name or f"matching {command.selector}"
            return f"{command.resource} {what}{in_namespace(command.namespace)}"
    return _other_subject(command)


def _other_subject(command: Command) -> str:
    match command:
        case Version():
            return "versions"
        case Help():
            return "help"
        case Top():
            what = f"top {command.resource}" + (f"/{command.name}" if command.name else "")
            if command.all_namespaces:
                return f"{what} in all namespaces"
            return what + in_namespace(command.namespace, resource=command.resource)
    return "result"


def plural(word: str) -> str:
    """A typed type as replies name it: ``po`` and ``PODS`` -> ``pods``; others as typed."""
    return PLURALS.get(word.lower(), word.lower())


def _get_subject(command: Get) -> str:
    """``pods``, ``pods/web``, ``pods a, b``, ``deployments,services``, ``pods/a services/b``."""
    if command.objects:
        return " ".join(f"{plural(word)}/{name}" for word, name in command.objects)
    what = ",".join(plural(word) for word in command.type_words)
    names = command.all_names
    if len(names) == 1:
        return f"{what}/{names[0]}"
    return f"{what} {', '.join(names)}" if names else what


def _filename(command: Command | None, extension: str) -> str:
    """A file name for the attachment: ``pods.txt``, ``web-5d8f.log``, ``deploy-web.yaml``."""
    match command:
        case Get():
            stem = plural(command.resource) + (f"-{command.name}" if command.name else "")
            if command.output in (OutputFormat.YAML, OutputFormat.JSON):
                extension = str(command.output)
        case Describe():
            stem = f"describe-{command.resource}" + (f"-{command.name}" if command.name else "")
        case Logs():
            stem = command.name or "logs"
            extension = "log"
        case Rollout():
            stem = f"{command.name}-{command.action}"
        case Version():
            stem = "version"
        case _:
            stem = "output"
    return f"{_UNSAFE_FILENAME.sub('_', stem).strip('_') or 'output'}.{extension}"


def _clip(line: str) -> str:
    """One line of at most ``HEADLINE_LIMIT`` characters."""
    line = " ".join(line.split())
    return line if len(line) <= HEADLINE_LIMIT else line[: HEADLINE_LIMIT - 1] + "…"
