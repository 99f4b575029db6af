"""The apps that answer ``get pods`` beside the bot, in a process of their own, as the bot is.

In the bench's own process they would share its interpreter lock with the fake Slack they post
to, and be slowed by it where the bot is not. Here they are not: the bare Bolt app (``bare_bolt``
doing ``bare_get``), the slash floor (``raw_floor`` doing ``bare_get``), and the slash echo
(``raw_floor`` doing ``bare_echo``: no GET, a one-line reply), which says what a command's way in
and its answer's way out cost. Each runs in a process of its own, with its own client of the
cluster, so that neither's work (or its collector's) is counted in another's CPU or slows it.

``python -m bench.standalone APP KUBECONFIG SLACK_API_URL BOT_TOKEN`` (APP: one of ``APPS``)
serves it until its stdin closes; once it answers, it prints its URL.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.apps import bare_bolt, bare_echo, bare_get, raw_floor, serving
from bench.harness import api_client


@dataclass(frozen=True, slots=True)
class _Slack:
    bot_token: str
    api_url: str


APPS = ("bare_bolt", "slash_floor", "slash_echo")


def main(argv: list[str]) -> None:
    name, kubeconfig, api_url, token = argv
    with ExitStack() as stack:
        api = api_client(Path(kubeconfig))
        stack.callback(api.close)
        apps = {
            "bare_bolt": lambda: bare_bolt(_Slack(token, api_url), then=bare_get(api)),
            "slash_floor": lambda: raw_floor(then=bare_get(api)),
            "slash_echo": lambda: raw_floor(then=bare_echo()),
        }
        app = apps[name]()
        print(stack.enter_context(serving(app)), flush=True)
        sys.stdin.read()  # until the bench closes it


if __name__ == "__main__":
    main(sys.argv[1:])
