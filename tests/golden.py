"""Golden-file comparison shared by the rendering tests.

``UPDATE_GOLDEN=1`` (or ``true``) rewrites the file with what the code produces instead of
comparing; review the diff before committing it. On CI goldens are only ever compared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ci import on_ci


def update_requested() -> bool:
    """Whether ``UPDATE_GOLDEN`` asks to rewrite; a value that is not a yes or a no fails."""
    value = os.environ.get("UPDATE_GOLDEN", "").strip().lower()
    if value in ("", "0", "false"):
        return False
    if value not in ("1", "true"):
        pytest.fail(f"UPDATE_GOLDEN={value!r}: set it to 1 to rewrite the goldens, or unset it")
    if on_ci():
        pytest.fail("UPDATE_GOLDEN is set on CI: goldens are compared there, never rewritten")
    return True


def assert_golden(path: Path, actual: str) -> None:
    """``actual`` must equal the file's text (or becomes it under ``UPDATE_GOLDEN=1``)."""
    if update_requested():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
