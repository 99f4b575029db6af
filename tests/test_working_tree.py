"""The suite tests this working tree, in its own process and in the processes it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import bot
from tests.subprocess_env import REPO, child_env


def test_bot_is_imported_from_the_working_tree() -> None:
    assert Path(bot.__file__).resolve() == REPO / "bot" / "__init__.py"


def test_a_python_started_elsewhere_imports_the_working_tree(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=child_env(),
        timeout=60,
    )
    assert Path(done.stdout.strip()).resolve() == REPO / "bot" / "__init__.py"
