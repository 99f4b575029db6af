"""The audit trail: one JSON line per record, never a secret."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audit_log import JsonLinesAudit
from bot.service.audit import AuditRecord, Outcome, Verdict

RECORD = AuditRecord(
    time=datetime(2026, 11, 29, 15, 43, 4, 123000, tzinfo=UTC),
    user_id="U0ALICE",
    user_name="alice",
    channel="C1",
    text="scale deployment/web --replicas=4 -n prod",
    decision=Verdict.ALLOWED,
    outcome=Outcome.OK,
    duration_ms=42,
    detail="deployment.apps/web scaled",
    verb="scale",
    target="deployments/web in namespace prod",
    rule="policy.bindings[1] role deployer rule 0",
)


def test_one_json_line_per_record() -> None:
    stream = io.StringIO()
    audit = JsonLinesAudit(stream)
    audit.record(RECORD)
    audit.record(RECORD)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == {
        "time": "2026-11-29T15:43:04.123Z",
        "user_id": "U0ALICE",
        "user_name": "alice",
        "channel": "C1",
        "text": "scale deployment/web --replicas=4 -n prod",
        "verb": "scale",
        "target": "deployments/web in namespace prod",
        "decision": "allowed",
        "rule": "policy.bindings[1] role deployer rule 0",
        "outcome": "ok",
        "duration_ms": 42,
        "detail": "deployment.apps/web scaled",
    }


def test_incident_ids_are_recorded() -> None:
    stream = io.StringIO()
    failed = replace(RECORD, outcome=Outcome.ERROR, detail="RuntimeError", incident="abcd1234")
    JsonLinesAudit(stream).record(failed)
    assert json.loads(stream.getvalue())["incident"] == "abcd1234"


def test_secrets_are_scrubbed_from_text_and_detail() -> None:
    stream = io.StringIO()
    audit = JsonLinesAudit(stream, secrets=("s3cr3t",))
    audit.record(replace(RECORD, text="get pods xoxb-1-2-abcdef", detail="unexpected s3cr3t"))
    line = json.loads(stream.getvalue())
    assert line["text"] == "get pods [REDACTED]"
    assert line["detail"] == "unexpected [REDACTED]"


def test_file_target_appends(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "audit.jsonl"
    for _ in range(2):
        audit = JsonLinesAudit.open(str(path))
        audit.record(RECORD)
        audit.close()
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize("target", ["stdout", "stderr"])
def test_standard_streams(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    audit = JsonLinesAudit.open(target)
    audit.record(RECORD)
    audit.close()
    captured = capsys.readouterr()
    written = captured.out if target == "stdout" else captured.err
    assert json.loads(written)["user_id"] == "U0ALICE"


@pytest.mark.parametrize(
    "decision",
    [Verdict.PREVIEWED, Verdict.CONFIRMED, Verdict.APPROVED, Verdict.CANCELLED, Verdict.EXPIRED],
)
def test_a_previewed_request_records_its_preview_and_approver(decision: Verdict) -> None:
    stream = io.StringIO()
    answered = replace(
        RECORD,
        decision=decision,
        approver="@bob (U0BOB)",
        preview=(
            "deployment web in namespace prod: 3 → 4 replicas",
            "pasted xoxb-1234-5678 s3cr3t",
        ),
        request="0123456789abcdef0123",
    )
    JsonLinesAudit(stream, secrets=("s3cr3t",)).record(answered)
    line = json.loads(stream.getvalue())
    assert (line["decision"], line["request"], line["approver"]) == (
        str(decision),
        "0123456789abcdef0123",
        "@bob (U0BOB)",
    )
    assert line["preview"][0] == "deployment web in namespace prod: 3 → 4 replicas"
    assert "xoxb-1234" not in stream.getvalue()
    assert "s3cr3t" not in stream.getvalue()
