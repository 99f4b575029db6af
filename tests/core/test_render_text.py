"""kubectl's table layout and the terminal rendering of replies."""

from __future__ import annotations

import pytest

from bot.core.render_text import render_reply, result_text, table_text
from bot.core.reply import ConfirmRequest, Paragraph, Preformatted, Reply, Tone
from bot.core.results import Change, Document, Table

DEPLOYMENTS = Table(
    columns=("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
    rows=(("kubernetes-bootcamp", "1/1", "1", "1", "11m"),),
)
# As printed in the Kubernetes Basics tutorial ("Running Multiple Instances of Your App").
DEPLOYMENTS_TEXT = (
    "NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
    "kubernetes-bootcamp   1/1     1            1           11m"
)


@pytest.mark.parametrize(
    ("table", "text"),
    [
        (DEPLOYMENTS, DEPLOYMENTS_TEXT),
        (
            Table(
                ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
                (
                    ("web-5d8f9c-abcde", "1/1", "Running", "0", "5m"),
                    ("web-5d8f9c-fghij", "0/1", "CrashLoopBackOff", "12 (3m ago)", "40m"),
                ),
            ),
            "NAME               READY   STATUS             RESTARTS      AGE\n"
            "web-5d8f9c-abcde   1/1     Running            0             5m\n"
            "web-5d8f9c-fghij   0/1     CrashLoopBackOff   12 (3m ago)   40m",
        ),
        # tabwriter's minwidth: a column is at least 6 wide, padding included
        (Table(("A", "B", "C"), (("1", "2", "3"),)), "A     B     C\n1     2     3"),
        (Table(("ABC", "D"), (("x", "y"),)), "ABC   D\nx     y"),
        (Table(("ABCD", "E"), (("x", "y"),)), "ABCD   E\nx      y"),
        # the last column is never padded, even when it is the widest
        (
            Table(("N", "SELECTOR"), (("a", "app=web,tier=frontend"),)),
            "N     SELECTOR\na     app=web,tier=frontend",
        ),
        # a last cell that is empty leaves the padding of the cell before it (Go's tabwriter,
        # as kubectl get -L prints a row without the label)
        (Table(("NAME", "X"), (("a", ""),)), "NAME   X\na      "),
        # one column: nothing to pad
        (Table(("NAME",), (("a",), ("bb",))), "NAME\na\nbb"),
    ],
)
def test_table_text_matches_kubectl(table: Table, text: str) -> None:
    assert table_text(table) == text


def test_empty_table_prints_kubectls_line() -> None:
    table = Table(("NAME",), (), empty_message="No resources found in prod namespace.")
    assert table_text(table) == "No resources found in prod namespace."


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (DEPLOYMENTS, DEPLOYMENTS_TEXT),
        (Document("apiVersion: v1\n", syntax="yaml"), "apiVersion: v1\n"),
        (Change("deployment.apps/web scaled"), "deployment.apps/web scaled"),
        (
            Change("service/a deleted", details=("service/b deleted",)),
            "service/a deleted\nservice/b deleted",
        ),
    ],
)
def test_result_text_is_kubectls_stdout(result: Table | Document | Change, text: str) -> None:
    assert result_text(result) == text


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        (Reply("deployment.apps/web scaled", tone=Tone.SUCCESS), "deployment.apps/web scaled\n"),
        (
            Reply(
                "pods (1 row)",
                parts=(Preformatted("NAME\nweb\n"),),
                context=("asked by slack:@alice", "namespace default"),
            ),
            "pods (1 row)\n\nNAME\nweb\n\n-- asked by slack:@alice\n-- namespace default\n",
        ),
        (
            Reply(
                "unknown command", parts=(Paragraph('did you mean "get pods"?'),), tone=Tone.ERROR
            ),
            'error: unknown command\n\ndid you mean "get pods"?\n',
        ),
        (Reply("careful", tone=Tone.WARNING), "warning: careful\n"),
        (
            Reply(
                "Confirmation needed",
                confirm=ConfirmRequest("Delete pod web-1 in namespace prod?", token="t1"),
            ),
            "Confirmation needed\n\nDelete pod web-1 in namespace prod?\n"
            "[Confirm] or [Cancel] (answer for t1)\n",
        ),
        (
            Reply(
                "Delete pod web-1 in namespace prod?",
                tone=Tone.WARNING,
                confirm=ConfirmRequest("Delete pod web-1 in namespace prod?", token="t1"),
            ),
            "warning: Delete pod web-1 in namespace prod?\n\n"
            "[Confirm] or [Cancel] (answer for t1)\n",
        ),
    ],
)
def test_render_reply_for_the_terminal(reply: Reply, text: str) -> None:
    assert render_reply(reply) == text


def test_render_reply_has_no_escape_codes() -> None:
    text = render_reply(Reply("x", parts=(Preformatted("a\tb"),), tone=Tone.ERROR))
    assert "\x1b" not in text
