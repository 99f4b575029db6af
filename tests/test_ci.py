"""The CI gates: what counts as CI, the kubectl judge that must not go missing there, and
goldens that are compared, never rewritten, on CI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ci import on_ci, require_kubectl
from tests.golden import assert_golden


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "woodpecker"])
def test_any_ci_but_empty_false_or_0_is_ci(value: str) -> None:
    assert on_ci({"CI": value}) is True


@pytest.mark.parametrize("value", ["", "false", "False", "0"])
def test_empty_false_or_0_is_not_ci(value: str) -> None:
    assert on_ci({"CI": value}) is False


def test_no_ci_variable_is_not_ci() -> None:
    assert on_ci({}) is False


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_a_missing_kubectl_fails_on_any_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI must run the kubectl judge"):
        require_kubectl()


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_a_missing_kubectl_skips_off_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="kubectl binary is not on PATH"):
        require_kubectl()


@pytest.fixture
def golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    path = tmp_path / "reply.txt"
    path.write_text("old\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_goldens_compare_unless_update_is_asked(
    golden: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    with pytest.raises(AssertionError):
        assert_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("value", ["1", "true"])
def test_update_golden_rewrites_off_ci(
    golden: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    assert_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "new\n"


@pytest.mark.parametrize("ci", ["true", "1"])
def test_goldens_refuse_to_rewrite_on_ci(
    golden: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="goldens are compared there, never rewritten"):
        assert_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "old\n"


def test_an_unclear_update_golden_value_fails(
    golden: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "yes please")
    with pytest.raises(pytest.fail.Exception, match="set it to 1 to rewrite the goldens"):
        assert_golden(golden, "old\n")
