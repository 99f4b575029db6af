"""The words the parser knows: resource names, flags, and why some verbs and flags are refused.

Kept apart from the grammar so that the tables can be read (and reviewed) on their own: what the
bot refuses and the one-line reason a Slack user gets for each refusal. The verbs it runs, with
their flags, are in ``bot.core.verbs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

_NO_FILES: Final = (
    "the bot takes no manifest files from chat; change deployments with set image, scale or "
    "rollout, or apply the manifest from your CI"
)
_NO_TUNNEL: Final = "a chat bot cannot open a tunnel to your machine; run it with your own kubectl"
_IDENTITY: Final = "the bot's own identity and cluster are fixed by its configuration"

REFUSED_VERBS: Final = MappingProxyType(
    {
        "exec": "exec is not available from chat (no commands run inside containers); "
        "use logs POD to see what a container prints",
        "attach": "attach is not available from chat (no interactive sessions); "
        "use logs POD to see what a container prints",
        "debug": "debug is not available from chat (no interactive sessions); "
        "use describe pod NAME and logs POD",
        "proxy": f"proxy is not available: {_NO_TUNNEL}",
        "port-forward": f"port-forward is not available: {_NO_TUNNEL}",
        "cp": "cp is not available: the bot does not copy files in or out of containers",
        "edit": "edit needs an interactive editor; use set image, scale or rollout, "
        "or apply the change from your CI",
        "apply": f"apply is not available: {_NO_FILES}",
        "create": f"create is not available: {_NO_FILES}",
        "replace": f"replace is not available: {_NO_FILES}",
        "patch": f"patch is not available: {_NO_FILES}",
        "kustomize": f"kustomize is not available: {_NO_FILES}",
        "run": "run is not available: new workloads belong in your manifests; "
        "deploy them from your CI",
        "expose": "expose is not available: services belong in your manifests; "
        "apply them from your CI",
        "autoscale": "autoscale is not available: autoscalers belong in your manifests; "
        "use scale for a one-off change",
        "taint": "taint is not available: node maintenance is out of the bot's scope",
        "drain": "drain is not available: node maintenance is out of the bot's scope",
        "certificate": "certificate is not available: certificate approval is out of the "
        "bot's scope",
        "config": f"config is not available: {_IDENTITY}",
        "auth": "auth is not available: ask your cluster admin about permissions",
        "cluster-info": "cluster-info is not available; use version and get nodes",
        "wait": "wait is not available in chat; use rollout status deployment/NAME",
        "explain": "explain is not available; see the Kubernetes API reference",
        "api-resources": "api-resources is not available; use get TYPE with the type's name",
        "api-versions": "api-versions is not available; use get TYPE with the type's name",
        "plugin": "plugins are not available from chat",
        "completion": "completion is a shell feature and not available from chat",
        "alpha": "alpha commands are not available from chat",
        "diff": f"diff is not available: {_NO_FILES}",
    }
)
"""kubectl verbs the bot refuses, with the one-line reason and the alternative."""

IDENTITY_FLAGS: Final = frozenset(
    {
        "--as",
        "--as-group",
        "--as-uid",
        "--token",
        "--server",
        "-s",
        "--kubeconfig",
        "--context",
        "--cluster",
        "--user",
        "--insecure-skip-tls-verify",
        "--certificate-authority",
        "--client-key",
        "--client-certificate",
        "--username",
        "--password",
        "--tls-server-name",
    }
)
"""kubectl's global flags that would change who the bot is or which cluster it talks to."""

IDENTITY_REASON: Final = _IDENTITY

PODS: Final = "pods"
DEPLOYMENTS: Final = "deployments"
SERVICES: Final = "services"
NODES: Final = "nodes"
STATEFULSETS: Final = "statefulsets"
DAEMONSETS: Final = "daemonsets"
JOBS: Final = "jobs"
CRONJOBS: Final = "cronjobs"

RESOURCE_WORDS: Final = MappingProxyType(
    {
        "pod": PODS,
        "pods": PODS,
        "po": PODS,
        "deployment": DEPLOYMENTS,
        "deployments": DEPLOYMENTS,
        "deploy": DEPLOYMENTS,
        "deployment.apps": DEPLOYMENTS,
        "deployments.apps": DEPLOYMENTS,
        "deploy.apps": DEPLOYMENTS,
        "service": SERVICES,
        "services": SERVICES,
        "svc": SERVICES,
        "node": NODES,
        "nodes": NODES,
        "no": NODES,
        **{
            spelling: plural
            for plural, singular, short, group in (
                (STATEFULSETS, "statefulset", "sts", "apps"),
                (DAEMONSETS, "daemonset", "ds", "apps"),
                (JOBS, "job", "", "batch"),
                (CRONJOBS, "cronjob", "cj", "batch"),
            )
            for spelling in (
                singular,
                plural,
                f"{singular}.{group}",
                f"{plural}.{group}",
                *((short, f"{short}.{group}") if short else ()),
            )
        },
    }
)
"""Spellings of the built-in types that the typed commands (describe, logs, scale ...) accept,
mapped to the canonical plural the rest of the bot uses."""

CLUSTER_SCOPED: Final = frozenset(
    {
        *("node", "nodes", "no", "namespace", "namespaces", "ns"),
        *("persistentvolume", "persistentvolumes", "pv", "storageclass", "storageclasses", "sc"),
        *("clusterrole", "clusterroles", "clusterrolebinding", "clusterrolebindings"),
        *("customresourcedefinition", "customresourcedefinitions", "crd", "crds"),
        *("priorityclass", "priorityclasses", "pc", "ingressclass", "ingressclasses"),
        *("runtimeclass", "runtimeclasses", "csidriver", "csidrivers", "csinode", "csinodes"),
        *("certificatesigningrequest", "certificatesigningrequests", "csr", "apiservices"),
    }
)
"""Spellings of well-known cluster-scoped types: replies about them name no namespace (the
gateway learns the scope of other types, CRDs included, from discovery)."""

PLURALS: Final = MappingProxyType(
    {
        **RESOURCE_WORDS,
        **dict.fromkeys(("ns", "namespace"), "namespaces"),
        **dict.fromkeys(("rs", "replicaset"), "replicasets"),
        **dict.fromkeys(("sts", "statefulset"), "statefulsets"),
        **dict.fromkeys(("ds", "daemonset"), "daemonsets"),
        **dict.fromkeys(("cm", "configmap"), "configmaps"),
        **dict.fromkeys(("secret",), "secrets"),
        **dict.fromkeys(("ev", "event"), "events"),
        **dict.fromkeys(("ep",), "endpoints"),
        **dict.fromkeys(("sa", "serviceaccount"), "serviceaccounts"),
        **dict.fromkeys(("pvc", "persistentvolumeclaim"), "persistentvolumeclaims"),
        **dict.fromkeys(("pv", "persistentvolume"), "persistentvolumes"),
        **dict.fromkeys(("ing", "ingress"), "ingresses"),
        **dict.fromkeys(("job",), "jobs"),
        **dict.fromkeys(("cj", "cronjob"), "cronjobs"),
        **dict.fromkeys(("crd", "crds"), "customresourcedefinitions"),
    }
)
"""Well-known spellings (short names, singulars) of types, to the plural replies name them by:
a header says ``pods in namespace prod`` whether ``po``, ``pod`` or ``PODS`` was typed."""

KNOWN_TYPES: Final = frozenset({*PLURALS, *PLURALS.values()})
"""Every spelling of a well-known type, so that no verb takes one for a typo of another."""

SINGULAR: Final = MappingProxyType(
    {
        PODS: "pod",
        DEPLOYMENTS: "deployment",
        SERVICES: "service",
        NODES: "node",
        STATEFULSETS: "statefulset",
        DAEMONSETS: "daemonset",
        JOBS: "job",
        CRONJOBS: "cronjob",
    }
)


@dataclass(frozen=True, slots=True)
class Flag:
    """One flag a verb accepts, as kubectl spells it."""

    name: str
    """Long name without dashes, e.g. ``namespace``; also the key in parsed flag maps."""
    short: str | None = None
    """One-letter shorthand, e.g. ``n``."""
    takes_value: bool = True
    """False for booleans (``-p``, ``--timestamps``), which also accept ``=true|false``."""

    @property
    def spelling(self) -> str:
        """How usage messages name the flag."""
        return f"--{self.name}"


NAMESPACE: Final = Flag("namespace", "n")
ALL_NAMESPACES: Final = Flag("all-namespaces", "A", takes_value=False)
SELECTOR: Final = Flag("selector", "l")
OUTPUT: Final = Flag("output", "o")
CONTAINER: Final = Flag("container", "c")
TAIL: Final = Flag("tail")
SINCE: Final = Flag("since")
PREVIOUS: Final = Flag("previous", "p", takes_value=False)
TIMESTAMPS: Final = Flag("timestamps", takes_value=False)
REPLICAS: Final = Flag("replicas")
CURRENT_REPLICAS: Final = Flag("current-replicas")
TO_REVISION: Final = Flag("to-revision")
REVISION: Final = Flag("revision")
HELP: Final = Flag("help", "h", takes_value=False)
FIELD_SELECTOR: Final = Flag("field-selector")
SHOW_LABELS: Final = Flag("show-labels", takes_value=False)
LABEL_COLUMNS: Final = Flag("label-columns", "L")
SORT_BY: Final = Flag("sort-by")
NO_HEADERS: Final = Flag("no-headers", takes_value=False)
WATCH: Final = Flag("watch", "w", takes_value=False)
ALL_CONTAINERS: Final = Flag("all-containers", takes_value=False)
PREFIX: Final = Flag("prefix", takes_value=False)
TIMEOUT: Final = Flag("timeout")

UNSUPPORTED_FLAGS: Final = MappingProxyType(
    {
        "--follow": "following logs is not possible in chat; use --tail N or --since 10m",
        "-f": "the bot takes no files from chat; name the object instead",
        "--filename": "the bot takes no files from chat; name the object instead",
        "--watch": "watching is not possible in chat; run the command again, "
        "or use rollout status deployment/NAME",
        "-w": "watching is not possible in chat; run the command again, "
        "or use rollout status deployment/NAME",
        "--watch-only": "watching is not possible in chat; run the command again",
        "--dry-run": "dry runs are not supported; the bot asks for confirmation before "
        "damaging changes",
        "--record": "the bot records who made each change by itself",
        "--all": "name the object, or use -l SELECTOR",
        "--force": "the bot deletes with the default grace period",
        "--grace-period": "the bot deletes with the default grace period",
        "--now": "the bot deletes with the default grace period",
        "--cascade": "the bot deletes with the default propagation",
        "--since-time": "use --since 10m, 1h or 2h30m",
        "--limit-bytes": "use --tail N; the bot bounds its output itself",
        "--max-log-requests": "the bot bounds its output itself",
        "--timeout": "the bot uses its own time limit",
        "--chunk-size": "the bot pages through lists itself",
        "--raw": "--raw API paths are not available from chat",
        "--recursive": "the bot takes no files from chat",
        "-R": "the bot takes no files from chat",
        "--kustomize": "the bot takes no files from chat",
        "-k": "the bot takes no files from chat",
        "--template": "go templates are not supported; use -o jsonpath=TEMPLATE",
        "--ignore-not-found": "the bot reports missing objects",
        "--wait": "use get or rollout status to follow the change",
        "--resource-version": "use --current-replicas as the precondition",
        "--local": "the bot always works on the cluster",
        "--subresource": "get the object itself with -o yaml",
    }
)
"""kubectl flags the bot recognises but does not accept, with the reason and the alternative."""
