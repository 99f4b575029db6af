"""Reading the settings: the YAML file, then the environment, then the command line's
overrides, validated once into ``Settings``; a bad key is one ``ConfigError`` naming it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import ConfigError
from bot.secrets import SECRET_ENV, TOKEN_PATTERN, load_secrets
from bot.settings.settings import FILE_SECTIONS, Settings
from bot.settings_errors import describe_error, loc_path, unknown_key_message

DEFAULT_PATH: Final = Path("config/k8s-chatops.yaml")

_SECRET_WORDS: Final = ("token", "secret", "password", "credential")


@dataclass(frozen=True, slots=True)
class Override:
    """A setting given on the command line, validated like the file's and named by its flag."""

    path: str
    """Dotted key, e.g. ``slack.port``."""
    value: object
    origin: str
    """How the user gave it, e.g. ``--port``; error messages start with it."""


def load_settings(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: tuple[Override, ...] = (),
) -> Settings:
    """Read ``path`` (default ``config/k8s-chatops.yaml`` if present), apply the environment and
    ``overrides``, and validate; raise ``ConfigError`` naming the first bad key.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = DEFAULT_PATH if path is None else path
    label = str(path)
    data: dict[str, Any] = {}
    source: Path | None = None
    if explicit or path.exists():
        data = _read_yaml(path)
        source = path
    origins: dict[tuple[str, ...], str] = {}
    for key, var in (("slack.api_url", "SLACK_API_URL"), ("log_level", "LOG_LEVEL")):
        if env.get(var):
            _put(data, key, env[var])
            origins[tuple(key.split("."))] = var
    for item in overrides:
        if item.value is not None:
            _put(data, item.path, item.value)
            origins[tuple(item.path.split("."))] = item.origin
    data["secrets"] = load_secrets(env)
    data["source"] = source
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        error = e.errors()[0]
        loc = tuple(str(part) for part in error["loc"])
        where = origins.get(loc[:2]) or origins.get(loc[:1]) or label
        detail = describe_error(error, _keys_at(error["loc"][:-1]))
        raise ConfigError(f"{where}: {loc_path(error['loc'])}: {detail}") from None


def _keys_at(loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys allowed in the mapping at ``loc``, for an "unknown key" message.

    ``loc`` may pass through lists and named maps (``policy.roles.NAME.rules[0]``).
    """
    node: object = Settings
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            node = None if field is None else field.annotation
        else:
            args = get_args(node)
            node = args[-1] if get_origin(node) is dict else (args[0] if args else None)
        if type(None) in get_args(node):  # ``X | None``: the X
            node = next((a for a in get_args(node) if a is not type(None)), None)
    if node is Settings:
        return FILE_SECTIONS
    if isinstance(node, type) and issubclass(node, BaseModel):
        return tuple(node.model_fields)
    return ()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        msg = f"{path}: cannot read the settings file ({e.strerror or e}); check --config"
        raise ConfigError(msg) from e
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        msg = f"{path}: {where}{problem}; the file must be valid YAML"
        raise ConfigError(msg) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        msg = f"{path}: expected a mapping of settings at the top level"
        raise ConfigError(msg)
    _refuse_secrets(path, loaded, ())
    for key in loaded:
        if key not in FILE_SECTIONS:
            raise ConfigError(f"{path}: {key}: {unknown_key_message(str(key), FILE_SECTIONS)}")
    # `replies:` with every key commented out parses as null; read it as "all defaults".
    return {key: ({} if value is None else value) for key, value in loaded.items()}


def _refuse_secrets(path: Path, node: object, loc: tuple[str | int, ...]) -> None:
    """Tokens belong in the environment; say so instead of reporting an 'unknown key'."""
    where = f"{path}: {loc_path(loc)}" if loc else str(path)
    variables = ", ".join(SECRET_ENV.values())
    hint = f"secrets are read only from the environment ({variables}, or their _FILE variants)"
    if isinstance(node, dict):
        for key, value in node.items():
            if any(word in str(key).lower() for word in _SECRET_WORDS):
                raise ConfigError(f"{path}: {loc_path((*loc, str(key)))}: {hint}")
            _refuse_secrets(path, value, (*loc, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_secrets(path, value, (*loc, index))
    elif isinstance(node, str) and TOKEN_PATTERN.search(node):
        raise ConfigError(f"{where}: this looks like a Slack token (not shown); {hint}")


def _put(data: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
        node[key] = child = dict(child)
        node = child
    node[last] = value
