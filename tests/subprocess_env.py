"""The environment of the processes the tests start: the working tree first on the path.

A ``python -m bot`` started from a temporary directory would otherwise import whatever ``bot``
the interpreter has installed, not the code under test.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The working tree the tests belong to."""


def child_env(*, drop: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """This process's environment without variables starting with ``drop``, plus ``extra``,
    with the working tree first on ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if not (drop and k.startswith(drop))}
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env
