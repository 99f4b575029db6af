"""The Slack clients' retries: what is retried, how long a wait may last, that shutdown ends it."""

from __future__ import annotations

import random
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.response import HttpResponse

from bot.transport.slack_clients import (
    MAX_RETRY_AFTER,
    SERVER_ERROR_RETRIES,
    response_client,
    retry_after_wait,
    tls_context,
    web_client,
)
from tests.fakeslack import RESPONSE_URL, FakeSlack


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_then_delivered(fake: FakeSlack, status: int) -> None:
    fake.fail("chat.postMessage", status=status, times=1)
    web_client(fake.bot_token, base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [status, 200]


def test_a_response_url_server_error_is_retried(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    fake.fail(RESPONSE_URL, status=500, times=2)
    assert response_client(url).send(text="hi").status_code == 200
    assert [p.status for p in fake.responses_to(url)] == [500, 500, 200]


def test_server_errors_are_retried_a_bounded_number_of_times(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", status=500, times=SERVER_ERROR_RETRIES + 5)
    with pytest.raises(SlackApiError):
        web_client(fake.bot_token, base_url=fake.api_url).chat_postMessage(channel="C1", text="x")
    assert len(fake.calls_to("chat.postMessage")) == SERVER_ERROR_RETRIES + 1


def test_a_client_error_is_not_retried(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError, match="invalid_auth"):
        web_client("xoxb-wrong", base_url=fake.api_url).chat_postMessage(channel="C1", text="x")
    assert len(fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [("3600", MAX_RETRY_AFTER, MAX_RETRY_AFTER + 1), ("2", 2, 3), ("soon", 1, 2), ("-5", 0, 1)],
)
def test_retry_after_is_honoured_up_to_the_cap(retry_after: str, low: float, high: float) -> None:
    response = HttpResponse(status_code=429, headers={"Retry-After": [retry_after]})
    assert low <= retry_after_wait(0, response) <= high


def test_shutdown_ends_a_retry_wait_and_the_call(fake: FakeSlack) -> None:
    stop = threading.Event()
    fake.rate_limit("chat.postMessage", times=1, retry_after=3600)
    client = web_client(fake.bot_token, base_url=fake.api_url, stop=stop)
    with ThreadPoolExecutor(max_workers=1) as pool:
        call = pool.submit(client.chat_postMessage, channel="C1", text="hi")
        fake.wait_for(lambda: fake.calls_to("chat.postMessage"), what="the 429")  # now waiting
        stop.set()
        with pytest.raises(SlackApiError) as info:
            call.result(timeout=10)
    assert info.value.response.status_code == 429
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_nothing_is_retried_once_shutting_down(fake: FakeSlack) -> None:
    stop = threading.Event()
    stop.set()
    fake.fail("chat.postMessage", status=500, times=1)
    with pytest.raises(SlackApiError):
        web_client(fake.bot_token, base_url=fake.api_url, stop=stop).chat_postMessage(
            channel="C1", text="x"
        )
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_retries_leave_the_global_random_state_alone(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    caller = threading.current_thread()
    for name in ("random", "uniform", "choice", "choices"):
        real = getattr(random, name)

        def spy(*args: object, _real: Any = real, _name: str = name, **kw: object) -> Any:
            if threading.current_thread() is caller:  # other threads are not this test's
                drawn.append(_name)
            return _real(*args, **kw)

        monkeypatch.setattr(random, name, spy)
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    fake.fail("chat.postMessage", status=500, times=1)
    web_client(fake.bot_token, base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 500, 200]
    assert drawn == []


def test_every_slack_client_over_https_shares_one_verifying_tls_context() -> None:
    """Made once: urllib's default, made per connection, reads the CA bundle every time."""
    clients = [
        web_client("xoxb-1"),
        web_client("xoxb-2", base_url="https://slack.example/api/"),
        response_client("https://hooks.slack.com/commands/T1/2/abc"),
    ]
    assert {id(client.ssl) for client in clients} == {id(tls_context())}
    assert tls_context().verify_mode is ssl.CERT_REQUIRED
    assert tls_context().check_hostname


def test_plain_http_clients_keep_urllibs_shared_opener(fake: FakeSlack) -> None:
    """Given a context, urllib builds an opener per call: only HTTPS is worth it."""
    assert web_client(fake.bot_token, base_url=fake.api_url).ssl is None
    assert response_client("http://127.0.0.1:1/hook").ssl is None
