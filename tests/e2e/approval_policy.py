"""The approval policy the expiry and two-process tests share: Carol (release-manager) may scale
and restart Deployments in ``prod`` once an ``sre-lead`` (Bob) approves; Alice is an admin."""

from __future__ import annotations

from typing import Final

APPROVALS: Final = """\
policy:
  admins: [U0ALICE]
  roles:
    release-manager:
      rules:
        - verbs: [scale, rollout-restart]
          resources: [deployments]
          namespaces: [prod]
          approvers: [sre-lead]
    sre-lead:
      rules:
        - verbs: [get]
  bindings:
    - roles: [release-manager]
      users: [U0CAROL]
    - roles: [sre-lead]
      users: [U0BOB]
"""
QUICK_EXPIRY: Final = "confirmations:\n  expiry_minutes: 0.05\n"
"""Requests expire after three seconds."""
