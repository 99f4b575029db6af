"""Results become a headline, parts with attachment names, a tone, and small print."""

from __future__ import annotations

import pytest

from bot.core.command import Command
from bot.core.render_result import HEADLINE_LIMIT, Rendered, render_result
from bot.core.render_text import render_reply
from bot.core.reply import Paragraph, Preformatted, Reply, Tone, Visibility
from bot.core.results import Change, Document, Table
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get, OutputFormat
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.version import Version
from bot.core.wording import is_rows_bound, rows_bound

PODS = Table(
    ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
    (("web-1", "1/1", "Running", "0", "5m"), ("web-2", "1/1", "Running", "0", "5m")),
    notes=("Warning: something",),
)


def test_table_becomes_preformatted_with_a_headline() -> None:
    rendered = render_result(PODS, Get("pods", namespace="prod"))
    assert rendered == Rendered(
        headline="pods in namespace prod (2 rows)",
        parts=(
            Preformatted(
                "NAME    READY   STATUS    RESTARTS   AGE\n"
                "web-1   1/1     Running   0          5m\n"
                "web-2   1/1     Running   0          5m",
                filename="pods.txt",
            ),
        ),
        tone=Tone.INFO,
        notes=("Warning: something",),
    )


def test_empty_table_says_kubectls_line() -> None:
    table = Table(("NAME",), (), empty_message="No resources found in prod namespace.")
    rendered = render_result(table, Get("pods", namespace="prod"))
    assert rendered.headline == "No resources found in prod namespace."
    assert rendered.parts == ()


@pytest.mark.parametrize(
    ("command", "headline"),
    [
        (Get("pods"), "pods (2 rows)"),
        (Get("pods", all_namespaces=True), "pods in all namespaces (2 rows)"),
        (Get("po", selector="app=web"), "pods matching app=web (2 rows)"),
        (Get("po", namespace="prod"), "pods in namespace prod (2 rows)"),
        (Get("PODS", namespace="prod"), "pods in namespace prod (2 rows)"),
        (Get("deploy", name="web", namespace="a"), "deployments/web in namespace a (2 rows)"),
        (Get("nodes", namespace="default"), "nodes (2 rows)"),
        (Get("ns", name="prod", namespace="default"), "namespaces/prod (2 rows)"),
        (Get("no", namespace="default"), "nodes (2 rows)"),
        (
            Get("deploy", types=("deploy", "svc"), namespace="a"),
            "deployments,services in namespace a (2 rows)",
        ),
        (Get("po", names=("a", "b"), namespace="a"), "pods a, b in namespace a (2 rows)"),
        (
            Get("po", objects=(("po", "a"), ("svc", "b")), namespace="a"),
            "pods/a services/b in namespace a (2 rows)",
        ),
        (Get("widgets.example.com"), "widgets.example.com (2 rows)"),
        (None, "result (2 rows)"),
    ],
)
def test_table_headline(command: Command | None, headline: str) -> None:
    assert render_result(PODS, command).headline == headline


def test_cluster_scoped_subjects_name_no_namespace() -> None:
    described = render_result(Document("Name: sandbox-worker"), Describe("nodes", "w", "default"))
    assert "namespace" not in described.headline


def test_one_row_is_singular() -> None:
    table = Table(("NAME",), (("a",),))
    assert render_result(table, Get("ns")).headline == "namespaces (1 row)"


@pytest.mark.parametrize(
    ("document", "command", "headline", "filename"),
    [
        (
            Document("apiVersion: v1\nkind: Pod\n", syntax="yaml"),
            Get("pods", name="web-1", output=OutputFormat.YAML),
            "pods/web-1",
            "pods-web-1.yaml",
        ),
        (
            Document('{"kind": "List"}', syntax="json"),
            Get("pods", output=OutputFormat.JSON),
            "pods",
            "pods.json",
        ),
        (
            Document("Name: web\n"),
            Describe("deployments", "web", namespace="prod"),
            "describe deployment web in namespace prod",
            "describe-deployments-web.txt",
        ),
        (
            Document("Name: a\n\nName: b\n"),
            Describe("pods", None),
            "describe pods",
            "describe-pods.txt",
        ),
        (
            Document("line 1\nline 2\n", syntax="log"),
            Logs("web-1", container="app", previous=True),
            "logs of pod/web-1, container app (previous run)",
            "web-1.log",
        ),
        (
            Document("x\n", syntax="log"),
            Logs(None, selector="app=web"),
            "logs of app=web",
            "logs.log",
        ),
        (
            Document("deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>\n"),
            Rollout(RolloutAction.HISTORY, "web"),
            "rollout history deployment/web",
            "web-history.txt",
        ),
        (Document("Client Version: v1\n"), Version(), "versions", "version.txt"),
        (Document("first line\nsecond\n"), None, "first line", "output.txt"),
    ],
)
def test_document_becomes_a_named_attachment_candidate(
    document: Document, command: Command | None, headline: str, filename: str
) -> None:
    rendered = render_result(document, command)
    assert rendered.headline == headline
    assert rendered.parts == (Preformatted(document.text.rstrip("\n"), filename=filename),)


def test_empty_logs_say_so() -> None:
    rendered = render_result(Document("", syntax="log"), Logs("web-1"))
    assert rendered.parts == (Paragraph("(no log lines)"),)


@pytest.mark.parametrize(
    ("text", "failed", "headline", "tone", "parts"),
    [
        (
            'deployment "web" successfully rolled out\n',
            False,
            'deployment "web" successfully rolled out',
            Tone.SUCCESS,
            (),
        ),
        (
            'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are '
            'available...\ndeployment "web" successfully rolled out\n',
            False,
            'deployment "web" successfully rolled out',
            Tone.SUCCESS,
            (
                Preformatted(
                    'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas '
                    'are available...\ndeployment "web" successfully rolled out',
                    filename="web-status.txt",
                ),
            ),
        ),
        (
            'Waiting for deployment "web" rollout to finish: 0 out of 4 new replicas have been '
            'updated...\nWaiting for deployment "web" rollout to finish: 2 out of 4 new replicas '
            "have been updated...\n",
            False,
            'Waiting for deployment "web" rollout to finish: 2 out of 4 new replicas have been '
            "updated...",
            Tone.INFO,
            (
                Preformatted(
                    'Waiting for deployment "web" rollout to finish: 0 out of 4 new replicas have '
                    'been updated...\nWaiting for deployment "web" rollout to finish: 2 out of 4 '
                    "new replicas have been updated...",
                    filename="web-status.txt",
                ),
            ),
        ),
        (
            'error: deployment "web" exceeded its progress deadline\n',
            True,
            'deployment "web" exceeded its progress deadline',
            Tone.ERROR,
            (),
        ),
        (
            'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
            'updated...\nerror: deployment "web" exceeded its progress deadline\n',
            True,
            'deployment "web" exceeded its progress deadline',
            Tone.ERROR,
            (
                Preformatted(
                    'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have '
                    "been updated...",
                    filename="web-status.txt",
                ),
            ),
        ),
    ],
)
def test_rollout_status_headline_is_the_last_line(
    text: str, *, failed: bool, headline: str, tone: Tone, parts: tuple[Preformatted, ...]
) -> None:
    rendered = render_result(Document(text, failed=failed), Rollout(RolloutAction.STATUS, "web"))
    assert (rendered.headline, rendered.tone, rendered.parts) == (headline, tone, parts)


def test_a_failed_rollout_says_error_once_in_the_console() -> None:
    document = Document(
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
        'updated...\nerror: deployment "web" exceeded its progress deadline\n',
        failed=True,
    )
    text = render_reply(render_result(document, Rollout(RolloutAction.STATUS, "web")).reply())
    assert text.count("error:") == 1
    assert text.startswith('error: deployment "web" exceeded its progress deadline\n')


def test_change_is_a_success_with_kubectls_summary() -> None:
    change = Change("deployment.apps/web scaled", notes=("was 3",))
    rendered = render_result(change, Scale("web", 1))
    assert rendered == Rendered("deployment.apps/web scaled", (), Tone.SUCCESS, ("was 3",))


def test_change_details_are_listed() -> None:
    change = Change("2 services deleted", details=("service/a deleted", "service/b deleted"))
    assert render_result(change).parts == (Paragraph("service/a deleted\nservice/b deleted"),)


def test_failed_document_is_an_error() -> None:
    assert render_result(Document("boom", failed=True)).tone is Tone.ERROR


def test_headline_is_one_bounded_line() -> None:
    rendered = render_result(Change("x" * 500 + "\nsecond line"))
    assert len(rendered.headline) == HEADLINE_LIMIT
    assert "\n" not in rendered.headline
    assert rendered.headline.endswith("…")


@pytest.mark.parametrize(
    ("command", "filename"),
    [
        (Get("widgets.example.com", name="a/b"), "widgets.example.com-a_b.txt"),
        (Get("clusterrole", name="system:controller:job"), "clusterrole-system_controller_job.txt"),
    ],
)
def test_filenames_are_safe(command: Command, filename: str) -> None:
    rendered = render_result(PODS, command)
    part = rendered.parts[0]
    assert isinstance(part, Preformatted)
    assert part.filename == filename


def test_rendered_becomes_a_reply_with_notes_before_context() -> None:
    reply = render_result(PODS, Get("pods")).reply(
        visibility=Visibility.IN_CHANNEL, context=("asked by slack:@alice",)
    )
    assert isinstance(reply, Reply)
    assert reply.visibility is Visibility.IN_CHANNEL
    assert reply.context == ("Warning: something", "asked by slack:@alice")


@pytest.mark.parametrize(
    "result",
    [
        Table(PODS.columns, PODS.rows, notes=("Warning: something", rows_bound(2))),
        Document("items: []\n", syntax="yaml", notes=("Warning: something", rows_bound(2))),
    ],
)
def test_a_row_bound_is_said_at_the_top(result: Table | Document) -> None:
    rendered = render_result(result, Get("pods", namespace="prod"))
    assert rendered.parts[0] == Paragraph(
        "showing the first 2 items; use -l or -n to narrow the query"
    )
    assert isinstance(rendered.parts[1], Preformatted)
    assert rendered.notes == ("Warning: something",)


def test_only_the_bound_note_is_moved() -> None:
    assert is_rows_bound(rows_bound(50_000))
    assert not is_rows_bound("showing the first items; use -l or -n to narrow the query")
    assert not is_rows_bound("Warning: something")
