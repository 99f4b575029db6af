"""A fake Slack platform (Web API, response URLs, file uploads, Socket Mode) over real HTTP.

Start it with ``running_fake_slack()``; play Slack's side with ``HttpSlack`` / ``SocketSlack``.
"""

from tests.fakeslack.drive import HttpSlack, Sent, SocketSlack
from tests.fakeslack.records import (
    ALICE,
    BOB,
    CAROL,
    OPS_CHANNEL,
    ApiCall,
    ResponsePost,
    SlackUser,
)
from tests.fakeslack.server import RESPONSE_URL, FakeSlack, running_fake_slack

__all__ = [
    "ALICE",
    "BOB",
    "CAROL",
    "OPS_CHANNEL",
    "RESPONSE_URL",
    "ApiCall",
    "FakeSlack",
    "HttpSlack",
    "ResponsePost",
    "Sent",
    "SlackUser",
    "SocketSlack",
    "running_fake_slack",
]
