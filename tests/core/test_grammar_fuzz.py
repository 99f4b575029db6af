"""Properties of the parser over arbitrary input: it answers with a valid command or a
``UsageError``, nothing else; and it cannot reach a cluster, by construction."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import grammar
from bot.core.command import Command
from bot.core.grammar import parse
from bot.core.verbs.cordon import Cordon
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get, OutputFormat
from bot.core.verbs.help import Help
from bot.core.verbs.label import MetadataChange
from bot.core.verbs.logs import Logs
from bot.core.verbs.registry import ALL_WORDS
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.rollout_pause import PauseRollout
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.version import Version
from bot.errors import UsageError
from tests.subprocess_env import child_env

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _type_and_name(resource: str, name: str | None) -> None:
    """A type as typed (resolved later by discovery) and a name: printable, one type."""
    assert resource
    assert not CONTROL.search(resource)
    assert "," not in resource
    assert name is None or not CONTROL.search(name)


def assert_valid(command: Command) -> None:
    """The invariants every parsed command holds, whatever text produced it."""
    namespace = getattr(command, "namespace", None)
    if namespace is not None:
        assert DNS_LABEL.fullmatch(namespace)
    selector = getattr(command, "selector", None)
    if selector is not None:
        assert selector
        assert selector == selector.strip()
    match command:
        case Version():
            pass
        case Help(topic=topic):
            assert topic is None or topic.split()[0] in ALL_WORDS
        case Get():
            _type_and_name(command.resource, command.name)
            assert not (command.all_namespaces and command.namespace)
            assert not (command.name and (command.selector or command.all_namespaces))
        case Describe():  # any type word: discovery resolves it
            _type_and_name(command.resource, command.name)
            assert not (command.name and command.selector)
        case Logs():
            assert (command.name is None) != (command.selector is None)
            assert command.kind in {"pod", "deployment"}
            assert command.tail is None or command.tail >= -1  # -1: every line
            assert command.since_seconds is None or command.since_seconds > 0
        case Scale():
            assert DNS_SUBDOMAIN.fullmatch(command.name)
            assert command.replicas >= 0
            assert command.current_replicas is None or command.current_replicas >= 0
        case SetImage():
            assert command.images
            assert len({container for container, _ in command.images}) == len(command.images)
            assert all(image and not CONTROL.search(image) for _, image in command.images)
        case Rollout():
            assert DNS_SUBDOMAIN.fullmatch(command.name)
            assert command.to_revision is None or command.to_revision > 0
        case Delete():
            assert command.resource in {"pods", "services"}
            assert (command.name is None) != (command.selector is None)
            assert command.resource == "services" or command.name is not None
        case PauseRollout() | Cordon():
            assert DNS_SUBDOMAIN.fullmatch(command.name)
        case MetadataChange():
            assert command.changes or command.removals
            assert not {key for key, _ in command.changes} & set(command.removals)
            assert not CONTROL.search(command.resource + command.name)


def check(text: str) -> None:
    """Parse; a refusal must be one non-empty line, a command must be valid."""
    message: str | None = None
    try:
        command = parse(text)
    except UsageError as error:
        message = str(error)
    if message is not None:
        assert message
        assert "\n" not in message
    else:
        assert_valid(command)


SHELLISH = st.text(alphabet="getpodslcnA0123456789 -=/\\\"'\u201c\u201d<>|&$(),!.:*@\t\n\u2014")


@FUZZ
@given(st.text() | SHELLISH)
def test_any_text_gives_a_command_or_a_usage_error(text: str) -> None:
    check(text)


VOCABULARY = [
    *ALL_WORDS,
    "kubectl",
    "/k8s",
    "image",
    "status",
    "history",
    "undo",
    "restart",
    "pause",
    "resume",
    "cordon",
    "uncordon",
    "label",
    "annotate",
    "--overwrite",
    "tier=front",
    "tier-",
    "pod",
    "pods",
    "po",
    "deploy",
    "deployment/web",
    "deployments",
    "svc",
    "service/web",
    "nodes",
    "rs",
    "web",
    "web-1",
    "Web",
    "a=b",
    "web=nginx:1",
    "*=x",
    "-n",
    "-nprod",
    "-n=prod",
    "--namespace",
    "--namespace=prod",
    "prod",
    "-A",
    "-l",
    "app=web",
    "'env in (a,b)'",
    "-o",
    "wide",
    "yaml",
    "-c",
    "--tail",
    "--tail=-1",
    "10",
    "-1",
    "--since",
    "10m",
    "2h30m",
    "-p",
    "--previous=false",
    "--timestamps",
    "--replicas",
    "--replicas=0",
    "--current-replicas=2",
    "--to-revision=2",
    "--revision",
    "-h",
    "--help",
    "--",
    "--as=x",
    "-s",
    '"$POD_NAME"',
    "|",
    "“",
    "”",
    "'",
    '"',
    "<http://x|x>",
    "&gt;",
    "\u2014replicas=1",
    "\\",
    "=",
    "/",
    ",",
]


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=8))
def test_plausible_word_salad_gives_a_command_or_a_usage_error(words: list[str]) -> None:
    check(" ".join(words))


NAMES = st.from_regex(DNS_LABEL, fullmatch=True).filter(lambda s: len(s) <= 40)
NAMESPACES = st.none() | NAMES
SELECTORS = st.none() | st.builds("{}={}".format, NAMES, NAMES)


_TEMPLATED = (OutputFormat.JSONPATH, OutputFormat.CUSTOM_COLUMNS)
"""Formats that need a template: spelled and parsed by the jsonpath tests instead."""


@st.composite
def commands(draw: st.DrawFn) -> Command:
    """Valid commands, to check that their kubectl spelling parses back to them."""
    kind = draw(st.sampled_from(["get", "logs", "scale", "set", "rollout", "delete"]))
    name, namespace = draw(NAMES), draw(NAMESPACES)
    if kind == "get":
        selector = draw(SELECTORS)
        return Get(
            resource=draw(st.sampled_from(["pods", "deploy", "widgets.example.com"])),
            name=None if selector else draw(st.none() | NAMES),
            namespace=namespace,
            selector=selector,
            output=draw(st.sampled_from([f for f in OutputFormat if f not in _TEMPLATED])),
        )
    if kind == "logs":
        return Logs(
            name=name,
            kind=draw(st.sampled_from(["pod", "deployment"])),
            namespace=namespace,
            container=draw(st.none() | NAMES),
            tail=draw(st.none() | st.integers(0, 10_000)),
            since_seconds=draw(st.none() | st.integers(1, 100_000)),
            previous=draw(st.booleans()),
            timestamps=draw(st.booleans()),
        )
    if kind == "scale":
        return Scale(name=name, replicas=draw(st.integers(0, 500)), namespace=namespace)
    if kind == "set":
        containers = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
        return SetImage(
            name, tuple((c, f"registry.io/{c}:v1") for c in containers), namespace=namespace
        )
    if kind == "rollout":
        return Rollout(draw(st.sampled_from(RolloutAction)), name, namespace=namespace)
    return Delete(draw(st.sampled_from(["pods", "services"])), name=name, namespace=namespace)


def spell(command: Command, *, flags_first: bool = False) -> str:
    """Write a command the way a user would type it; flags after the words, or right after the
    verb (kubectl accepts flags anywhere)."""
    verb, words, flags = _spelling(command)
    namespace = getattr(command, "namespace", None)
    if namespace:
        flags.append(f"--namespace={namespace}")
    ordered = [*verb, *flags, *words] if flags_first else [*verb, *words, *flags]
    return " ".join(ordered)


def _spelling(command: Command) -> tuple[list[str], list[str], list[str]]:
    match command:
        case Get():
            flags = [f"-l {command.selector}"] if command.selector else []
            if command.output is not OutputFormat.TABLE:
                flags.append(f"-o {command.output}")
            name = [command.name] if command.name else []
            return ["get"], [command.resource, *name], flags
        case Logs():
            flags = [f"-c {command.container}"] if command.container else []
            flags += [f"--tail={command.tail}"] if command.tail is not None else []
            flags += [f"--since={command.since_seconds}s"] if command.since_seconds else []
            flags += ["-p"] if command.previous else []
            flags += ["--timestamps"] if command.timestamps else []
            return ["logs"], [f"{command.kind}/{command.name}"], flags
        case Scale():
            return ["scale"], [f"deploy/{command.name}"], [f"--replicas {command.replicas}"]
        case SetImage():
            pairs = [f"{c}={i}" for c, i in command.images]
            return ["kubectl", "set", "image"], [f"deployment/{command.name}", *pairs], []
        case Rollout():
            return ["/k8s", "rollout", command.action], [f"deployments/{command.name}"], []
        case Delete():
            return ["delete"], [command.resource, str(command.name)], []
    raise AssertionError(command)


@FUZZ
@given(command=commands(), flags_first=st.booleans())
def test_spelled_command_parses_back(command: Command, *, flags_first: bool) -> None:
    assert parse(spell(command, flags_first=flags_first)) == command


def test_parse_takes_only_text() -> None:
    """No gateway, client or settings can be handed to the parser."""
    assert list(inspect.signature(parse).parameters) == ["text"]


def test_grammar_imports_no_io_library() -> None:
    """Importing the grammar loads no network, Kubernetes or Slack library."""
    code = (
        "import sys, bot.core.grammar, bot.core.policy;"
        "bad = {'kubernetes', 'slack_sdk', 'slack_bolt', 'aiohttp', 'urllib3', 'socket', "
        "'http.client', 'bot.gateway', 'bot.transport'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(drop=("COVERAGE_",)),  # measuring the child would load socket itself
        timeout=60,
    )
    assert result.stdout.strip() == "[]"
    assert grammar.__name__ == "bot.core.grammar"
