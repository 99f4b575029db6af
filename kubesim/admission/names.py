"""Name, label, key and port syntax rules worded as ``k8s.io/apimachinery/pkg/util/validation``.

Each ``is_*``-style function returns upstream's messages (empty when valid); the helpers at the
end turn them into causes for a metadata map or a label selector.
"""

from __future__ import annotations

import re
from typing import Any

from kubesim.admission.field_errors import forbidden, invalid, required, too_long
from kubesim.api.status import Cause

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
ENV_VAR_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
PERCENT_FMT = "[0-9]+%"

_RE_CACHE: dict[str, re.Pattern[str]] = {}


def _matches(fmt: str, value: str) -> bool:
    pattern = _RE_CACHE.get(fmt)
    if pattern is None:
        pattern = _RE_CACHE[fmt] = re.compile(f"^{fmt}$")
    return pattern.match(value) is not None


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """``RegexError``: note the doubled space after each example comma, as upstream."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    listed = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {listed}regex used for validation is '{fmt}')"


def max_len_error(limit: int) -> str:
    """``MaxLenError``."""
    return f"must be no more than {limit} characters"


def _format_errors(value: str, limit: int, fmt: str, message: str, *examples: str) -> list[str]:
    """Upstream's shape for every DNS-name check: a length error, then the regex error."""
    errs = [max_len_error(limit)] if len(value) > limit else []
    if not _matches(fmt, value):
        errs.append(regex_error(message, fmt, *examples))
    return errs


def dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``."""
    return _format_errors(
        value,
        63,
        DNS1123_LABEL_FMT,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
        "or '-', and must start and end with an alphanumeric character",
        "my-name",
        "123-abc",
    )


def dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``."""
    return _format_errors(
        value,
        253,
        DNS1123_SUBDOMAIN_FMT,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
        "characters, '-' or '.', and must start and end with an alphanumeric character",
        "example.com",
    )


def dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label`` (service names)."""
    return _format_errors(
        value,
        63,
        DNS1035_LABEL_FMT,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
        "start with an alphabetic character, and end with an alphanumeric character",
        "my-name",
        "abc-123",
    )


def qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: label and annotation keys."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                "end with an alphanumeric character",
                QUALIFIED_NAME_FMT,
                "MyName",
                "my.name",
                "123-abc",
            )
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _matches(QUALIFIED_NAME_FMT, name):
        errs.append(
            "name part "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                "end with an alphanumeric character",
                QUALIFIED_NAME_FMT,
                "MyName",
                "my.name",
                "123-abc",
            )
        )
    return errs


def label_value(value: str) -> list[str]:
    """``IsValidLabelValue``."""
    errs = [max_len_error(63)] if len(value) > 63 else []
    if not _matches(LABEL_VALUE_FMT, value):
        errs.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, "
                "'-', '_' or '.', and must start and end with an alphanumeric character",
                LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def env_var_name(value: str) -> list[str]:
    """``IsEnvVarName``."""
    if _matches(ENV_VAR_FMT, value):
        return []
    return [
        regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, "
            "'_', '-', or '.', and must not start with a digit",
            ENV_VAR_FMT,
            "my.env-name",
            "MY_ENV.NAME",
            "MyEnvName1",
        )
    ]


def config_key(value: str) -> list[str]:
    """``IsConfigMapKey`` (ConfigMap and Secret data keys)."""
    errs = [max_len_error(253)] if len(value) > 253 else []
    if not _matches(CONFIG_KEY_FMT, value):
        errs.append(
            regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                CONFIG_KEY_FMT,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    if value in (".", ".."):
        errs.append(f"must not be '{value}'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def port_num(value: Any) -> list[str]:
    """``IsValidPortNum``."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def port_name(value: str) -> list[str]:
    """``IsValidPortName`` (IANA_SVC_NAME)."""
    errs: list[str] = []
    if len(value) > 15:
        errs.append("must be no more than 15 characters")
    if not re.fullmatch("[-a-z0-9]+", value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value.startswith("-") or value.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def percent(value: str) -> list[str]:
    """``IsValidPercent``."""
    if _matches(PERCENT_FMT, value):
        return []
    return [
        regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            PERCENT_FMT,
            "1%",
            "93%",
        )
    ]


def nonnegative(path: str, value: Any) -> list[Cause]:
    """``ValidateNonnegativeField``."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def labels(path: str, value: Any) -> list[Cause]:
    """``ValidateLabels``: keys then values, each message its own cause."""
    if not isinstance(value, dict):
        return []
    causes: list[Cause] = []
    for key, val in value.items():
        causes.extend(invalid(path, key, msg) for msg in qualified_name(str(key)))
        if not isinstance(val, str):
            continue
        causes.extend(invalid(path, val, msg) for msg in label_value(val))
    return causes


ANNOTATIONS_SIZE_LIMIT = 256 * 1024


def annotation_map(path: str, value: Any) -> list[Cause]:
    """``ValidateAnnotations``: key syntax and the 256 KiB total."""
    if not isinstance(value, dict):
        return []
    causes: list[Cause] = []
    total = 0
    for key, val in value.items():
        causes.extend(invalid(path, key, msg) for msg in qualified_name(str(key).lower()))
        total += len(str(key)) + len(str(val))
    if total > ANNOTATIONS_SIZE_LIMIT:
        causes.append(too_long(path, ANNOTATIONS_SIZE_LIMIT))
    return causes


def label_selector(path: str, selector: Any) -> list[Cause]:
    """``ValidateLabelSelector``: matchLabels plus matchExpressions operators."""
    if not isinstance(selector, dict):
        return []
    causes = labels(f"{path}.matchLabels", selector.get("matchLabels"))
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        if not isinstance(expr, dict):
            continue
        here = f"{path}.matchExpressions[{i}]"
        op = expr.get("operator")
        values = expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                causes.append(
                    required(
                        f"{here}.values",
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    )
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                causes.append(
                    forbidden(
                        f"{here}.values",
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            causes.append(invalid(f"{here}.operator", op, "not a valid selector operator"))
        key = str(expr.get("key", ""))
        causes.extend(invalid(f"{here}.key", key, msg) for msg in qualified_name(key))
    return causes
