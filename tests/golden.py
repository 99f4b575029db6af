"""Golden-file comparison shared by the rendering tests.

``UPDATE_GOLDEN=1`` rewrites the file with what the code produces instead of comparing; review
the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path


def assert_golden(path: Path, actual: str) -> None:
    """``actual`` must equal the file's text (or becomes it under ``UPDATE_GOLDEN=1``)."""
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
