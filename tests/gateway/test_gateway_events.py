"""``events``, kubectl's own command, judged by kubectl 1.32 on the same running sandbox: the
columns, the oldest-first order, repeats as ``(xN over T)``, ``--for`` and ``--types``."""

from __future__ import annotations

import pytest

from bot.core.grammar import parse
from bot.core.results import Table
from bot.core.verbs.events import Events
from bot.errors import UsageError
from tests.gateway.support import run
from tests.gateway.test_gateway_kubectl import Judge, judge, live
from tests.kubesim.kubectl import eventually

__all__ = ["judge", "live"]


@pytest.mark.kubectl
def test_events_match_kubectl(live: Judge) -> None:
    live.kubectl("create deployment evfail --image=nginx:1.27")
    live.kubectl("set image deployment/evfail nginx=nginx:doesnotexist")

    def failing() -> str | None:
        for line in live.kubectl("events --types=Warning").splitlines()[1:]:
            if "Pod/evfail-" in line:
                return line.split("Pod/", 1)[1].split()[0]
        return None

    pod = eventually(failing, what="a Warning event of the evfail pod")
    live.compare("events --for deployment/evfail")
    live.compare(f"events --for pod/{pod}")
    live.compare(f"events --for pod/{pod} --types=warning")
    live.compare("events --types=Warning -A")


def test_events_of_nothing_say_so(live: Judge) -> None:
    result = run(live.gateway, "events --for pod/nope -n nowhere")
    assert isinstance(result, Table)
    assert not result.rows
    assert result.empty_message == "No events found in nowhere namespace."


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("events --types=bogus", "valid --types are Normal or Warning"),
        ("events --for web", "--for takes TYPE/NAME"),
        ("events -n a -A", "either -n NAMESPACE or -A"),
        ("events web", "--for TYPE/NAME"),
    ],
)
def test_bad_events_lines_are_refused(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        parse(text)
    assert says in str(caught.value)


def test_events_parse() -> None:
    assert parse("events --for deploy/web --types=warning,Normal -n prod") == Events(
        namespace="prod", for_type="deploy", for_name="web", types=("Warning", "Normal")
    )
