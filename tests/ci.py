"""Whether the suite runs on CI, where nothing may be skipped or rewritten silently.

CI services set ``CI`` to ``true``, ``1`` or another non-empty value; ``.ci/run`` exports
``CI=true``. Only an empty value, ``false`` or ``0`` means a developer's machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

import pytest


def on_ci(env: Mapping[str, str] | None = None) -> bool:
    """True when ``CI`` is set to anything but empty, ``false`` or ``0``."""
    value = (os.environ if env is None else env).get("CI", "").strip().lower()
    return value not in ("", "false", "0")


def require_kubectl() -> str:
    """The kubectl binary's path; skip without it locally, fail without it on CI."""
    found = shutil.which("kubectl")
    if found:
        return found
    reason = "the kubectl binary is not on PATH"
    if on_ci():
        pytest.fail(f"{reason}: CI must run the kubectl judge tests", pytrace=False)
    pytest.skip(reason)
