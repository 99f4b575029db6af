"""The apps that answer ``get pods`` beside the bot, in a process of their own, as the bot is.

In the bench's own process they would share its interpreter lock with the fake Slack they post
to, and be slowed by it where the bot is not. Here they are not: the bare Bolt app (``bare_bolt``
doing ``bare_get``) and the slash floor (``raw_floor`` doing ``bare_get``), each on a port of its
own, each with its own client of the cluster.

``python -m bench.standalone KUBECONFIG SLACK_API_URL BOT_TOKEN`` serves both until its stdin
closes; once both answer, it prints one JSON line: ``{"bare_bolt": URL, "slash_floor": URL}``.
"""

from __future__ import annotations

import json
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


def main(argv: list[str]) -> None:
    kubeconfig, api_url, token = argv
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for name in ("bare_bolt", "slash_floor"):
            api = api_client(Path(kubeconfig))  # its own pool: no app uses the other's connection
            stack.callback(api.close)
            answer = bare_get(api)
            app = (
                bare_bolt(_Slack(token, api_url), then=answer)
                if name == "bare_bolt"
                else raw_floor(then=answer)
            )
            urls[name] = stack.enter_context(serving(app))
        print(json.dumps(urls), flush=True)
        sys.stdin.read()  # until the bench closes it


if __name__ == "__main__":
    main(sys.argv[1:])
