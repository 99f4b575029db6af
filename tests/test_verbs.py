"""Every registered verb has all its parts: grammar, help, policy name, wording, a gateway
handler and a README row. A verb that lacks one fails here, not at run time."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from bot.core.grammar import parse
from bot.core.lexicon import REFUSED_VERBS
from bot.core.usage import help_text
from bot.core.verbs import registry
from bot.core.verbs.spec import VerbSpec
from bot.gateway.handler import Handler
from bot.gateway.verbs.registry import HANDLERS

README = Path(__file__).resolve().parents[1] / "README.md"
_FLAG_IN_USAGE = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _reference_commands(readme: str) -> list[str]:
    """The first code span of each row of the README's "Command reference" table."""
    section = readme.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [row.split("`")[1].replace("\\|", "|") for row in rows]


def problems(
    spec: VerbSpec[Any], handlers: dict[str, Handler[Any]], commands: list[str]
) -> list[str]:
    """What ``spec`` lacks, one sentence each; empty when the verb is complete."""
    found: list[str] = []
    if not re.fullmatch(r"[a-z]+(-[a-z]+)*", spec.name):
        found.append(f"policy name {spec.name!r} is not lower-case words joined by '-'")
    if not spec.usage.startswith(spec.command):
        found.append(f"usage {spec.usage!r} does not start with {spec.command!r}")
    spelled = set(_FLAG_IN_USAGE.findall(spec.usage))
    for flag in spec.flags:
        if flag.spelling not in spelled and f"-{flag.short}" not in spelled:
            found.append(f"usage does not show {flag.spelling}")
    declared = {f.spelling for f in spec.flags} | {f"-{f.short}" for f in spec.flags if f.short}
    found += [f"usage shows {word}, which is not among its flags" for word in spelled - declared]
    if not spec.summary.strip():
        found.append("no summary")
    if not spec.examples:
        found.append("no examples")
    for example in spec.examples:
        command = parse(example)
        if not isinstance(command, spec.record) or command.verb != spec.name:
            found.append(f"example {example!r} parses to another verb ({command.verb})")
            continue
        if spec.mutating:
            for part in ("action", "announce"):
                wording = getattr(spec, part)
                if wording is None or not wording(command):
                    found.append(f"mutating, but no {part} wording for {example!r}")
    if not spec.mutating and (spec.action or spec.announce or spec.confirm):
        found.append("read-only, yet it has a denial, announcement or confirmation wording")
    handler = handlers.get(spec.name)
    if spec.on_cluster and (handler is None or handler.record is not spec.record):
        found.append(f"no gateway handler for {spec.name} in bot.gateway.verbs.registry")
    if spec.on_cluster and handler is not None and not handler.access:
        found.append(f"the {spec.name} handler declares no RBAC access (Handler.access)")
    if not spec.on_cluster and handler is not None:
        found.append("answered by the bot, yet it has a gateway handler")
    if not any(re.match(rf"{re.escape(spec.command)}\b", command) for command in commands):
        found.append(f"no row for {spec.command!r} in README's command reference")
    if f"  {spec.command} " not in help_text():
        found.append("not listed by help")
    return found


COMMANDS = _reference_commands(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("spec", registry.SPECS, ids=lambda spec: spec.name)
def test_verb_has_every_part(spec: VerbSpec[Any]) -> None:
    assert problems(spec, dict(HANDLERS), COMMANDS) == []


def test_names_and_words_are_unique() -> None:
    assert len({spec.name for spec in registry.SPECS}) == len(registry.SPECS)
    assert len({spec.words for spec in registry.SPECS}) == len(registry.SPECS)


def test_every_handler_belongs_to_a_verb() -> None:
    on_cluster = {spec.name for spec in registry.SPECS if spec.on_cluster}
    assert set(HANDLERS) == on_cluster
    assert all(handler.verb == name for name, handler in HANDLERS.items())


def test_supported_verbs_are_not_refused() -> None:
    assert not set(registry.WORDS) & set(REFUSED_VERBS)


SCALE = registry.BY_NAME["scale"]


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (dataclasses.replace(SCALE, summary=""), "no summary"),
        (dataclasses.replace(SCALE, examples=()), "no examples"),
        (dataclasses.replace(SCALE, flags=SCALE.flags[:1]), "usage shows --replicas"),
        (dataclasses.replace(SCALE, usage="scale deployment/NAME"), "usage does not show"),
        (dataclasses.replace(SCALE, announce=None), "no announce wording"),
        (dataclasses.replace(SCALE, action=None), "no action wording"),
        (dataclasses.replace(SCALE, mutating=False), "read-only, yet"),
        (dataclasses.replace(SCALE, name="Scale"), "policy name"),
        (dataclasses.replace(SCALE, name="scale-up"), "parses to another verb"),
        (dataclasses.replace(SCALE, words=("resize",), usage="resize --replicas=N"), "README"),
    ],
)
def test_a_missing_part_is_reported(broken: VerbSpec[Any], says: str) -> None:
    assert any(says in problem for problem in problems(broken, dict(HANDLERS), COMMANDS))


def test_a_missing_handler_is_reported() -> None:
    handlers = {name: h for name, h in HANDLERS.items() if name != "scale"}
    assert "no gateway handler for scale in bot.gateway.verbs.registry" in problems(
        SCALE, handlers, COMMANDS
    )
