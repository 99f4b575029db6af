"""Shared helpers for the gateway tests: options and a ``run`` that parses like the bot."""

from __future__ import annotations

from bot.core.grammar import parse
from bot.core.results import Result
from bot.gateway.gateway import GatewayOptions, KubernetesGateway

ACTOR = "slack:@alice"
OPTIONS = GatewayOptions(request_timeout=5.0, rollout_timeout=30.0)


def run(gateway: KubernetesGateway, text: str) -> Result:
    """Parse ``text`` as the bot would and execute it as ``slack:@alice``."""
    return gateway.execute(parse(text), actor=ACTOR, text=text)
