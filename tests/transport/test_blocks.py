"""Block Kit rendering: golden messages, and Slack's limits held for any reply.

Golden files live in ``tests/transport/golden``; after an intended change, regenerate them with
``UPDATE_GOLDEN=1 pytest tests/transport/test_blocks.py`` and review the diff.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ContextBlock, SectionBlock

from bot.core.preview import Preview
from bot.core.prompts import prompt_reply
from bot.core.render_text import table_text
from bot.core.reply import (
    Action,
    ConfirmRequest,
    Paragraph,
    Part,
    Preformatted,
    Reply,
    Tone,
    Visibility,
)
from bot.core.results import Table
from bot.transport.blocks import (
    BLOCK_LIMIT,
    CONFIRM_ACTION,
    DENY_ACTION,
    RUN_ACTION,
    SECTION_LIMIT,
    TEXT_BUDGET,
    VALUE_LIMIT,
    SlackMessage,
    escape,
    to_slack,
)
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"


def as_json(message: SlackMessage) -> dict[str, Any]:
    """The message as the transport sends it; ``to_dict()`` runs slack_sdk's validators."""
    attachment = message.attachment
    return {
        "text": message.text,
        "blocks": [block.to_dict() for block in message.blocks],
        "attachment": None
        if attachment is None
        else {
            "filename": attachment.filename,
            "title": attachment.title,
            "lines": attachment.content.count("\n") + 1,
            "first_line": attachment.content.splitlines()[0],
        },
    }


def check_golden(name: str, message: SlackMessage) -> None:
    path = GOLDEN / f"{name}.json"
    assert_golden(path, json.dumps(as_json(message), indent=2, ensure_ascii=False) + "\n")


def pods_table(count: int) -> str:
    rows = tuple((f"web-5d8f9c-{i:05d}", "1/1", "Running", "0", "5m") for i in range(count))
    return table_text(Table(("NAME", "READY", "STATUS", "RESTARTS", "AGE"), rows))


def test_small_table_golden() -> None:
    reply = Reply(
        "pods in namespace default (3 rows)",
        parts=(Preformatted(pods_table(3), filename="pods.txt"),),
        context=("asked by slack:@alice",),
    )
    message = to_slack(reply)
    assert message.attachment is None
    check_golden("small_table", message)


def test_long_table_overflows_into_an_attachment_golden() -> None:
    text = pods_table(500)
    reply = Reply(
        "pods in namespace default (500 rows)",
        parts=(Preformatted(text, filename="pods.txt"),),
        context=("asked by slack:@alice",),
    )
    message = to_slack(reply)
    assert message.attachment is not None
    assert message.attachment.content == text
    assert message.attachment.filename == "pods.txt"
    check_golden("long_table", message)


def test_confirm_request_golden() -> None:
    reply = Reply(
        "Confirm: delete service kubernetes-bootcamp",
        tone=Tone.WARNING,
        confirm=ConfirmRequest(
            "Delete service kubernetes-bootcamp in namespace default?", token="c0ffee"
        ),
        context=("asked by slack:@alice",),
    )
    check_golden("confirm_request", to_slack(reply))


def test_error_reply_golden() -> None:
    reply = Reply(
        'unknown flag "--replica" for scale',
        parts=(
            Paragraph('did you mean "--replicas"?'),
            Preformatted(
                "scale deployment/NAME --replicas=N [--current-replicas=C] [-n NAMESPACE]",
                filename="usage.txt",
            ),
        ),
        tone=Tone.ERROR,
    )
    check_golden("error_reply", to_slack(reply))


def test_notification_text_is_the_headline() -> None:
    message = to_slack(Reply("deployment.apps/web scaled", tone=Tone.SUCCESS))
    assert message.text == "deployment.apps/web scaled"


def test_buttons_carry_the_token_and_the_action_ids() -> None:
    message = to_slack(Reply("?", confirm=ConfirmRequest("Delete pod a?", token="tok-1")))
    actions = [block for block in message.blocks if isinstance(block, ActionsBlock)]
    assert len(actions) == 1
    buttons = actions[0].elements
    assert all(isinstance(button, ButtonElement) for button in buttons)
    assert [(b.action_id, b.value) for b in buttons if isinstance(b, ButtonElement)] == [
        (CONFIRM_ACTION, "tok-1"),
        (DENY_ACTION, "tok-1"),
    ]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<http://evil|click>", "&lt;http://evil|click&gt;"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("x > 1", "x &gt; 1"),
    ],
)
def test_special_characters_are_escaped(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    message = to_slack(Reply(text, parts=(Paragraph(text), Preformatted(text))))
    dumped = json.dumps([block.to_dict() for block in message.blocks])
    assert "<" not in dumped
    assert escaped in dumped
    assert message.text == escaped


def test_code_fence_in_output_cannot_close_the_block() -> None:
    message = to_slack(Reply("x", parts=(Preformatted("a\n```\nb"),)))
    code = message.blocks[1]
    assert isinstance(code, SectionBlock)
    assert code.text is not None
    assert code.text.text.count("```") == 2


def test_output_just_under_the_limits_stays_inline() -> None:
    text = pods_table(99)
    message = to_slack(Reply("pods", parts=(Preformatted(text),)))
    assert message.attachment is None
    shown = "".join(
        block.text.text
        for block in message.blocks[1:]
        if isinstance(block, SectionBlock) and block.text
    )
    assert shown.replace("```", "").replace("\n", "") == text.replace("\n", "")


def test_two_overflowing_outputs_attach_the_first_only() -> None:
    big = "\n".join(f"line {i}" for i in range(300))
    message = to_slack(Reply("x", parts=(Preformatted(big, "a.txt"), Preformatted(big, "b.txt"))))
    assert message.attachment is not None
    assert message.attachment.filename == "a.txt"
    notes = [
        element.text
        for block in message.blocks
        if isinstance(block, ContextBlock)
        for element in block.elements
        if hasattr(element, "text")
    ]
    assert notes == [
        "showing first 30 of 300 lines; full output attached as a.txt",
        "showing first 30 of 300 lines; the rest is not shown",
    ]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("\n".join(f"row {i}" for i in range(50_000)) + "\n", 50_000),  # counted, not split
        ("\r\n".join(f"row {i}" for i in range(150)), 150),  # CRLF is one break
        ("\n".join(f"row {i}\rover" for i in range(150)), 300),  # a lone CR is one too
        ("\x1c".join(f"row {i}" for i in range(150)), 150),  # ASCII, a file separator
        ("\u2028".join(f"row {i} é" for i in range(150)), 150),  # beyond ASCII, a line separator
        ("\n".join(f"row {i} é" for i in range(150)), 150),
    ],
)
def test_an_attached_outputs_preview_counts_lines_as_splitlines(text: str, lines: int) -> None:
    message = to_slack(Reply("x", parts=(Preformatted(text, "a.txt"),)))
    assert message.attachment is not None
    assert message.attachment.content is text  # the same text, not a copy
    shown = "\n".join(str(block.to_dict()) for block in message.blocks)
    assert f"showing first 30 of {lines} lines" in shown
    assert "row 0" in shown
    assert "row 29" in shown or "row 14" in shown
    assert "row 30" not in shown


def test_a_single_huge_line_is_attached_not_broken() -> None:
    line = "x" * 10_000
    message = to_slack(Reply("x", parts=(Preformatted(line, "big.txt"),)))
    assert message.attachment is not None
    assert message.attachment.content == line
    assert_within_limits(message)


def assert_within_limits(message: SlackMessage) -> None:
    dicts = [block.to_dict() for block in message.blocks]  # raises on a violated limit
    assert len(dicts) <= BLOCK_LIMIT
    texts = list(_texts(dicts))
    assert all(len(text) <= SECTION_LIMIT for text in texts)
    assert sum(map(len, texts)) <= TEXT_BUDGET
    assert len(message.text) <= SECTION_LIMIT


def _texts(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "text" and isinstance(v, str)]
        return found + [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


LINES = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=400)
PARTS: st.SearchStrategy[Part] = st.one_of(
    st.builds(Paragraph, st.lists(LINES, max_size=30).map("\n".join)),
    st.builds(Preformatted, st.lists(LINES, max_size=400).map("\n".join)),
)


@settings(max_examples=60, deadline=None)
@given(
    headline=st.text(max_size=5000),
    parts=st.lists(PARTS, max_size=60),
    context=st.lists(st.text(max_size=3000), max_size=20).map(tuple),
    confirm=st.none() | st.builds(ConfirmRequest, st.text(min_size=1, max_size=5000), st.just("t")),
    tone=st.sampled_from(Tone),
)
def test_any_reply_fits_slacks_limits(
    headline: str,
    parts: list[Part],
    context: tuple[str, ...],
    confirm: ConfirmRequest | None,
    tone: Tone,
) -> None:
    reply = Reply(
        headline,
        tuple(parts),
        tone=tone,
        visibility=Visibility.IN_CHANNEL,
        confirm=confirm,
        context=context,
    )
    message = to_slack(reply)
    assert_within_limits(message)
    if confirm is not None:
        assert isinstance(message.blocks[-1 if not context else -2], ActionsBlock)


@pytest.mark.parametrize("offset", range(6))
def test_clipping_never_cuts_an_escape(offset: int) -> None:
    """Wherever the small-print budget ends, no ``&amp;`` is cut in half."""
    message = to_slack(Reply("x", context=("a" * offset + "&" * 3000,)))
    context = message.blocks[-1]
    assert isinstance(context, ContextBlock)
    text = context.elements[0].text  # type: ignore[union-attr]
    assert text.endswith("…")
    assert re.search(r"&(?!amp;)", text) is None


def test_command_buttons_golden() -> None:
    reply = Reply(
        "Rollout of deployment prod/web revision 3: in progress",
        (Paragraph("Image web: nginx:1.27 → nginx:1.28"),),
        visibility=Visibility.IN_CHANNEL,
        context=("revision 3",),
        actions=(
            Action("Logs", "logs deployment/web -n prod --tail 20"),
            Action("Status", "rollout status deployment/web -n prod"),
            Action("Undo", "rollout undo deployment/web -n prod"),
        ),
    )
    check_golden("command_buttons", to_slack(reply))


def test_a_command_too_long_for_a_button_is_left_out() -> None:
    reply = Reply("x", actions=(Action("Long", "get " + "p" * VALUE_LIMIT), Action("Ok", "get")))
    (block,) = [b for b in to_slack(reply).blocks if isinstance(b, ActionsBlock)]
    assert [(e.action_id, e.value) for e in block.elements] == [(f"{RUN_ACTION}_1", "get")]  # type: ignore[union-attr]


def test_approval_prompt_golden() -> None:
    reply = prompt_reply(
        request_id="0123456789abcdef0123",
        prompt="Run scale on deployments/web in namespace prod?",
        preview=Preview(
            ("deployment web in namespace prod: 3 → 0 replicas", "all 3 of its pods will stop"),
            warning="deployment web is managed by Argo CD (application shop): its next sync "
            "will revert a manual change; change it in Git instead, or pause the sync first",
        ),
        author="@carol",
        expires=datetime(2026, 12, 1, 12, 5, tzinfo=UTC),
        expiry=timedelta(minutes=5),
        approval="someone other than @carol holding sre-lead in this channel (U0BOB)",
    )
    message = to_slack(reply)
    buttons = [e for b in message.blocks if isinstance(b, ActionsBlock) for e in b.elements]
    assert [(b.text.text, b.value) for b in buttons if isinstance(b, ButtonElement)] == [
        ("Approve", "0123456789abcdef0123"),
        ("Cancel", "0123456789abcdef0123"),
    ]
    check_golden("approval_prompt", message)
