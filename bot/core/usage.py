"""Usage lines and help texts: what a user sees after a mistake, and what ``help`` prints.

Usage errors carry the verb's one-line usage so that the reply can show the right form next to
the mistake; ``help_text`` builds the longer ``help [VERB]`` answers from the same lines.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from bot.core.lexicon import REFUSED_VERBS, SUPPORTED_VERBS

USAGE: Final = MappingProxyType(
    {
        "version": "version",
        "help": "help [VERB]",
        "get": "get TYPE [NAME | TYPE/NAME] [-n NAMESPACE | -A] [-l SELECTOR] "
        "[-o wide|yaml|json|name]",
        "describe": "describe pod|deployment|service|node [NAME | TYPE/NAME] [-l SELECTOR] "
        "[-n NAMESPACE]",
        "logs": "logs POD|pod/NAME|deployment/NAME [CONTAINER] [-c CONTAINER] [--tail N] "
        "[--since 10m|1h|2h30m] [-p] [--timestamps] [-l SELECTOR] [-n NAMESPACE]",
        "scale": "scale deployment/NAME --replicas=N [--current-replicas=C] [-n NAMESPACE]",
        "set": "set image deployment/NAME CONTAINER=IMAGE [CONTAINER=IMAGE ...] [-n NAMESPACE]",
        "rollout": "rollout status|history|undo|restart deployment/NAME "
        "[--to-revision=N (undo)] [--revision=N (history)] [-n NAMESPACE]",
        "delete": "delete pod NAME | delete service NAME | delete service -l SELECTOR "
        "[-n NAMESPACE]",
    }
)
"""One line per supported verb, without the leading ``/k8s``."""

_SUMMARY: Final = MappingProxyType(
    {
        "version": "show the bot's and the cluster's versions",
        "help": "show this help, or the help of one verb",
        "get": "list objects of any type, CRDs included",
        "describe": "show details and recent events of one object or all of a type",
        "logs": "show a container's logs (bounded)",
        "scale": "change a deployment's replica count (admins)",
        "set": "change container images of a deployment (admins)",
        "rollout": "follow, list, undo or restart a deployment's rollout (undo/restart: admins)",
        "delete": "delete a pod, or services by name or selector (admins, confirmed)",
    }
)

_EXAMPLES: Final = MappingProxyType(
    {
        "version": ("version",),
        "help": ("help", "help logs"),
        "get": (
            "get pods",
            "get pods -n prod -o wide",
            "get deploy/web -o yaml",
            "get pods -l app=web -A",
            "get rs",
        ),
        "describe": ("describe pod web-5d8f9c-abcde", "describe deployments/web", "describe nodes"),
        "logs": (
            "logs web-5d8f9c-abcde",
            "logs deployment/web -c app --tail 50",
            "logs -l app=web --since 10m",
        ),
        "scale": ("scale deployment/web --replicas=4", "scale deploy web --replicas 2 -n prod"),
        "set": ("set image deployment/web web=nginx:1.27",),
        "rollout": (
            "rollout status deployment/web",
            "rollout history deployment/web",
            "rollout undo deployment/web --to-revision=2",
            "rollout restart deployment/web",
        ),
        "delete": ("delete pod web-5d8f9c-abcde", "delete service -l app=web"),
    }
)


def usage(verb: str) -> str | None:
    """The usage line of a supported verb, for ``UsageError.usage``; None for other words."""
    return USAGE.get(verb)


def help_text(topic: str | None = None) -> str:
    """The text of ``help`` (an overview) or ``help VERB`` (usage, summary and examples).

    A refused verb's help explains the refusal, so that ``help exec`` answers the question the
    user actually has.
    """
    if topic is None:
        width = max(len(verb) for verb in SUPPORTED_VERBS)
        lines = ["Commands (type them as you would after kubectl):"]
        lines += [f"  {verb.ljust(width)}   {_SUMMARY[verb]}" for verb in SUPPORTED_VERBS]
        lines.append("")
        lines.append('Type "help VERB" for a verb\'s flags and examples.')
        return "\n".join(lines)
    if topic in REFUSED_VERBS:
        return REFUSED_VERBS[topic][0].upper() + REFUSED_VERBS[topic][1:] + "."
    lines = [
        f"Usage: {USAGE[topic]}",
        "",
        _SUMMARY[topic][:1].upper() + _SUMMARY[topic][1:] + ".",
        "",
        "Examples:",
    ]
    lines += [f"  {example}" for example in _EXAMPLES[topic]]
    return "\n".join(lines)
