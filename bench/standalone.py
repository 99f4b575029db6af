"""The apps that answer ``get pods`` beside the bot, in a process of their own, as the bot is.

In the bench's own process they would share its interpreter lock with the fake Slack they post
to, and be slowed by it where the bot is not. Here they are not: the bare Bolt app (``bare_bolt``
doing ``bare_get``) and the slash floor (``raw_floor`` doing ``bare_get``), each on a port of its
own: each in a process of its own, with its own client of the cluster, so that neither's work
(or its collector's) is counted in the other's CPU or slows it.

``python -m bench.standalone APP KUBECONFIG SLACK_API_URL BOT_TOKEN`` (APP: ``bare_bolt`` or
``slash_floor``) serves it until its stdin closes; once it answers, it prints its URL.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.apps import bare_bolt, bare_get, raw_floor, serving
from bench.harness import api_client


@dataclass(frozen=True, slots=True)
class _Slack:
    bot_token: str
    api_url: str


APPS = ("bare_bolt", "slash_floor")


def main(argv: list[str]) -> None:
    name, kubeconfig, api_url, token = argv
    with ExitStack() as stack:
        api = api_client(Path(kubeconfig))
        stack.callback(api.close)
        answer = bare_get(api)
        app = (
            bare_bolt(_Slack(token, api_url), then=answer)
            if name == "bare_bolt"
            else raw_floor(then=answer)
        )
        print(stack.enter_context(serving(app)), flush=True)
        sys.stdin.read()  # until the bench closes it


if __name__ == "__main__":
    main(sys.argv[1:])
