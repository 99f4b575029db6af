"""Validation of the values typed into commands: names, namespaces, selectors, numbers, durations.

The parser checks values up front, with the apiserver's own rules where they are simple, so that
a typo is answered in chat with a precise sentence instead of reaching the cluster as a 400 or a
404. Each function returns the accepted value or raises ``UsageError`` (without a usage line;
the grammar adds the verb's).
"""

from __future__ import annotations

import math
import re
from typing import Final

from bot.errors import UsageError

MAX_INT32: Final = 2**31 - 1

_DNS_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN: Final = re.compile(
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
)
_TYPE_WORD: Final = re.compile(r"[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z0-9][A-Za-z0-9-]*)*")
_IMAGE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@+-]*")
_UNSAFE: Final = re.compile(r"[\s/%\x00-\x1f\x7f]")
_LABEL_NAME: Final = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_NUMBER: Final = re.compile(r"[0-9]+")
_DURATION: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?(?:h|m|s|ms))+")
_DURATION_PART: Final = re.compile(r"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)")
_UNIT_SECONDS: Final = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_REQUIREMENT: Final = re.compile(
    # Matched against a stripped requirement, so no two adjacent \s runs can trade characters:
    # the match stays linear in the length of what was typed.
    r"(?P<neg>!\s*)?(?P<key>[^\s!=<>(),]+)"
    r"(?:\s*(?P<op>==|!=|=|<|>)\s*(?P<value>[^\s!=<>(),]*)"
    r"|\s+(?P<setop>in|notin)\s*\((?P<values>[^()]*)\))?"
)
_SHOWN: Final = 80
"""Most characters of a bad value quoted back in an error; the rest is elided."""


def namespace(value: str) -> str:
    """A namespace name: an RFC 1123 label, as the apiserver requires."""
    if not value:
        raise UsageError("the namespace must not be empty")
    if len(value) > 63 or not _DNS_LABEL.fullmatch(value):
        raise UsageError(
            f'invalid namespace "{value}": use lower-case letters, digits and "-" '
            "(at most 63 characters)"
        )
    return value


def object_name(value: str, *, what: str) -> str:
    """A pod, deployment, service or node name: an RFC 1123 subdomain."""
    if not value:
        raise UsageError(f"the {what} name must not be empty")
    if len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
        raise UsageError(
            f'invalid {what} name "{value}": names use lower-case letters, digits, "-" and "."'
        )
    return value


def any_name(value: str) -> str:
    """A name of any type for ``get``: a path segment (RBAC names may hold ``:``)."""
    if not value or value in {".", ".."} or len(value) > 253 or _UNSAFE.search(value):
        raise UsageError(f'invalid name "{value}"')
    return value


def type_word(value: str) -> str:
    """A resource type as typed (``po``, ``deployments.apps``, a CRD plural)."""
    if "," in value:
        raise UsageError("give one resource type at a time (no commas)")
    if len(value) > 253 or not _TYPE_WORD.fullmatch(value):
        raise UsageError(f'invalid resource type "{value}"')
    return value


def container_name(value: str, *, wildcard: bool = False) -> str:
    """A container name (an RFC 1123 label), or ``*`` for all containers in ``set image``."""
    if wildcard and value == "*":
        return value
    if len(value) > 63 or not _DNS_LABEL.fullmatch(value):
        raise UsageError(f'invalid container name "{value}"')
    return value


def image(value: str) -> str:
    """A container image reference, e.g. ``docker.io/library/nginx:1.27@sha256:...``."""
    if len(value) > 1024 or not _IMAGE.fullmatch(value):
        raise UsageError(f'invalid image "{value}"')
    return value


def whole_number(value: str, *, flag: str) -> int:
    """A non-negative integer flag value (kubectl's -1 "unset" sentinels are not accepted)."""
    if not _NUMBER.fullmatch(value):
        raise UsageError(f'invalid {flag} "{value}": expected a whole number, 0 or more')
    number = int(value)
    if number > MAX_INT32:
        raise UsageError(f"invalid {flag} {value}: at most {MAX_INT32}")
    return number


def duration_seconds(value: str, *, flag: str) -> int:
    """A Go-style duration (``30s``, ``10m``, ``2h30m``, ``1.5h``) rounded up to seconds, as
    kubectl rounds ``--since``."""
    if not _DURATION.fullmatch(value):
        raise UsageError(
            f'invalid {flag} "{value}": use a duration such as 30s, 10m, 1h or 2h30m (no days: 48h)'
        )
    total = sum(
        float(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(value)
    )
    seconds = math.ceil(total)
    if seconds <= 0:
        raise UsageError(f"{flag} must be greater than 0")
    if seconds > MAX_INT32:
        raise UsageError(f"{flag} {value} is too long")
    return seconds


def label_selector(value: str) -> str:
    """A label selector (``app=web``, ``tier!=db``, ``env in (a,b)``, ``!canary``).

    Checked with the apiserver's grammar so that a stray character is reported here instead of
    as an opaque 400; returned stripped but otherwise as typed.
    """
    text = value.strip()
    if not text:
        raise UsageError("the selector must not be empty")
    for requirement in _split_requirements(text):
        _requirement(requirement, whole=text)
    return text


def _split_requirements(text: str) -> list[str]:
    """Split on the commas that separate requirements, not those inside ``in (a,b)``."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise UsageError(f'invalid selector "{_excerpt(text)}": unbalanced ")"')
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth:
        raise UsageError(f'invalid selector "{_excerpt(text)}": unbalanced "("')
    parts.append(text[start:])
    return parts


def _requirement(requirement: str, *, whole: str) -> None:
    if not _valid_requirement(requirement.strip()):
        raise UsageError(
            f'invalid selector "{_excerpt(whole)}": use key=value, key!=value, key, !key '
            "or key in (a,b), separated by commas"
        )


def _valid_requirement(requirement: str) -> bool:
    match = _REQUIREMENT.fullmatch(requirement)
    if not match:
        return False
    key, op, setop = match["key"], match["op"], match["setop"]
    if not _label_key(key) or (match["neg"] and (op or setop)):
        return False
    if op in {"<", ">"}:
        return _NUMBER.fullmatch(match["value"] or "") is not None
    if op and not _label_value(match["value"] or ""):
        return False
    return not setop or all(_label_value(item.strip()) for item in match["values"].split(","))


def _excerpt(text: str) -> str:
    """``text`` cut to ``_SHOWN`` characters, so an error never echoes a whole flood back."""
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…"


def _label_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        return False
    return bool(name) and _label_value(name)


def _label_value(value: str) -> bool:
    return len(value) <= 63 and _LABEL_NAME.fullmatch(value) is not None
