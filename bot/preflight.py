"""``k8s-chatops check``: will the bot work here, as configured? One line per thing it needs.

It validates the settings (loading them does), asks Slack whether the bot token works and has
the scopes the bot uses, reaches the cluster, and asks the API server, once per access, whether
the bot's own identity may do what the verbs the policy enables (and the notifier, when it is on)
will ask of it. Each failure comes with what to do: the scope to add, or the RBAC rule to add to
the bot's ClusterRole (or Role, for its own namespace). The exit status is 0 only if all pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.cluster import Cluster, own_namespace
from bot.core.rbac import NOTIFIER, PENDING_REQUESTS, SEEN_REQUESTS, Access
from bot.core.verbs.registry import BY_NAME, SPECS
from bot.errors import BotError, ConfigError
from bot.settings import Settings, SlackMode

PASS: Final = "✓"
FAIL: Final = "✗"


@dataclass(frozen=True, slots=True)
class Row:
    """One check: passed or not, what was checked, what was found, and what to do if it failed."""

    passed: bool
    what: str
    detail: str = ""
    fix: str = ""


def enabled_verbs(settings: Settings) -> tuple[str, ...]:
    """The cluster verbs somebody may run under the policy: every verb once there is an admin,
    else those the bound roles' rules name."""
    cluster_verbs = tuple(spec.name for spec in SPECS if spec.on_cluster)
    policy = settings.policy
    if policy.admins:
        return cluster_verbs
    bound = {role for binding in policy.bindings for role in binding.roles}
    if "admin" in bound:
        return cluster_verbs
    named = {
        verb
        for name, role in policy.roles.items()
        if name in bound
        for rule in role.rules
        for verb in rule.verbs
    }
    return cluster_verbs if "*" in named else tuple(v for v in cluster_verbs if v in named)


def needed_access(settings: Settings) -> dict[Access, list[str]]:
    """Each access the configuration needs, and who needs it (verbs, ``notifier``), in order."""
    from bot.gateway.verbs.registry import HANDLERS  # noqa: PLC0415 - the client is slow to import

    needs: dict[Access, list[str]] = {}
    impersonate = settings.kubernetes.impersonate
    if impersonate is not None:
        # Commands run as each Slack user: their RBAC, not the bot's, must allow the verbs.
        needs[Access("impersonate", "users")] = ["impersonation"]
        if impersonate.group is not None or impersonate.extra_groups:
            needs[Access("impersonate", "groups")] = ["impersonation"]
    else:
        for verb in enabled_verbs(settings):
            for access in HANDLERS[verb].access:
                needs.setdefault(access, []).append(verb)
    if any(BY_NAME[verb].mutating for verb in enabled_verbs(settings)):
        _need(needs, PENDING_REQUESTS, "confirmations")
    if settings.notifications.active:
        _need(needs, NOTIFIER, "notifier")
    if settings.slack.mode is SlackMode.HTTP:
        _need(needs, SEEN_REQUESTS, "replays")
    return needs


def _need(needs: dict[Access, list[str]], accesses: tuple[Access, ...], who: str) -> None:
    for access in accesses:
        needs.setdefault(access, []).append(who)


def slack_rows(settings: Settings) -> list[Row]:
    """The bot token, and each scope the bot uses."""
    from bot.transport.slack_check import auth_test, required_scopes  # noqa: PLC0415 - slow

    try:
        identity = auth_test(settings)
    except ConfigError as e:
        return [Row(passed=False, what="Slack bot token", detail=str(e))]
    rows = [Row(passed=True, what="Slack bot token", detail=f"{identity.user} in {identity.team}")]
    if identity.scopes is None:
        rows.append(Row(passed=False, what="Slack scopes", detail="Slack did not list them"))
        return rows
    for scope, purpose in required_scopes(settings).items():
        granted = scope in identity.scopes
        fix = "" if granted else f"add the bot scope {scope} (OAuth & Permissions), reinstall"
        rows.append(Row(passed=granted, what=f"Slack scope {scope}", detail=purpose, fix=fix))
    return rows


def cluster_rows(settings: Settings, cluster: Cluster) -> list[Row]:
    """The API server, and one SelfSubjectAccessReview per access the configuration needs."""
    from bot.gateway import client as clients  # noqa: PLC0415 - the client is slow to import
    from bot.gateway.access_review import AccessReviews  # noqa: PLC0415

    try:
        api_client = (
            clients.in_cluster()
            if cluster.in_cluster
            else clients.from_kubeconfig(cluster.kubeconfig, context=cluster.context)
        )
    except ConfigError as e:
        return [Row(passed=False, what="cluster", detail=str(e))]
    reviews = AccessReviews(api_client, timeout=settings.kubernetes.request_timeout_seconds)
    try:
        try:
            version = reviews.version()
        except BotError as e:
            return [Row(passed=False, what="cluster", detail=f"{reviews.server}: {e}")]
        rows = [Row(passed=True, what="cluster", detail=f"{reviews.server} ({version})")]
        home = own_namespace(settings)
        for access, users in needed_access(settings).items():
            namespace = home if access.own_namespace else access.namespace
            try:
                allowed, reason = reviews.allowed(access, namespace=namespace)
            except BotError as e:
                allowed, reason = False, str(e)
            where = f" in {namespace}" if namespace else ""
            kind = "Role in " + namespace if namespace else "ClusterRole"
            rows.append(
                Row(
                    passed=allowed,
                    what=f"{access.what}{where}",
                    detail=", ".join(users) + (f" ({reason})" if reason and not allowed else ""),
                    fix="" if allowed else f"add to the bot's {kind}: {access.rule()}",
                )
            )
        return rows
    finally:
        reviews.close()


def table(rows: list[Row]) -> str:
    """The rows as a ✓/✗ table, each failure followed by its fix."""
    width = max(len(row.what) for row in rows)
    lines = []
    for row in rows:
        mark = PASS if row.passed else FAIL
        lines.append(f"{mark} {row.what.ljust(width)}  {row.detail}".rstrip())
        if row.fix:
            lines.append(f"  {'':{width}}  -> {row.fix}")
    failed = sum(not row.passed for row in rows)
    lines.append("")
    lines.append("all checks passed" if not failed else f"{failed} of {len(rows)} checks failed")
    return "\n".join(lines)


def run_checks(settings: Settings, cluster: Cluster | None) -> list[Row]:
    """Every check, in order: settings, Slack, cluster and RBAC."""
    source = str(settings.source) if settings.source else "defaults (no settings file)"
    rows = [Row(passed=True, what="settings", detail=source)]
    rows += slack_rows(settings)
    if cluster is None:
        rows.append(
            Row(
                passed=False,
                what="cluster",
                detail="no kubeconfig found and not in a pod",
                fix="set KUBECONFIG, --kubeconfig or kubernetes.kubeconfig",
            )
        )
    else:
        rows += cluster_rows(settings, cluster)
    return rows
