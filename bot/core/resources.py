"""Resource names as the policy sees them: the plural discovery lists, whatever was typed.

Commands keep the type as typed (``po``, ``deploy.apps``) because the gateway resolves it through
discovery; the policy needs one name to match rules against, before any call. Built-in types are
known here with their short names and scope; any other word is read as a custom resource's plural
(``certificates``) or ``plural.group`` (``certificates.cert-manager.io``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in type: its plural, API group, the other ways to type it, and its scope."""

    plural: str
    group: str
    spellings: tuple[str, ...]
    namespaced: bool = True


_BUILTINS: Final = (
    Builtin("pods", "", ("pod", "po")),
    Builtin("services", "", ("service", "svc")),
    Builtin("configmaps", "", ("configmap", "cm")),
    Builtin("secrets", "", ("secret",)),
    Builtin("events", "", ("event", "ev")),
    Builtin("endpoints", "", ("ep",)),
    Builtin("serviceaccounts", "", ("serviceaccount", "sa")),
    Builtin("persistentvolumeclaims", "", ("persistentvolumeclaim", "pvc")),
    Builtin("limitranges", "", ("limitrange", "limits")),
    Builtin("resourcequotas", "", ("resourcequota", "quota")),
    Builtin("replicationcontrollers", "", ("replicationcontroller", "rc")),
    Builtin("nodes", "", ("node", "no"), namespaced=False),
    Builtin("namespaces", "", ("namespace", "ns"), namespaced=False),
    Builtin("persistentvolumes", "", ("persistentvolume", "pv"), namespaced=False),
    Builtin("deployments", "apps", ("deployment", "deploy")),
    Builtin("replicasets", "apps", ("replicaset", "rs")),
    Builtin("statefulsets", "apps", ("statefulset", "sts")),
    Builtin("daemonsets", "apps", ("daemonset", "ds")),
    Builtin("controllerrevisions", "apps", ("controllerrevision",)),
    Builtin("jobs", "batch", ("job",)),
    Builtin("cronjobs", "batch", ("cronjob", "cj")),
    Builtin("horizontalpodautoscalers", "autoscaling", ("horizontalpodautoscaler", "hpa")),
    Builtin("ingresses", "networking.k8s.io", ("ingress", "ing")),
    Builtin("networkpolicies", "networking.k8s.io", ("networkpolicy", "netpol")),
    Builtin("ingressclasses", "networking.k8s.io", ("ingressclass",), namespaced=False),
    Builtin("poddisruptionbudgets", "policy", ("poddisruptionbudget", "pdb")),
    Builtin("leases", "coordination.k8s.io", ("lease",)),
    Builtin("endpointslices", "discovery.k8s.io", ("endpointslice",)),
    Builtin("roles", "rbac.authorization.k8s.io", ("role",)),
    Builtin("rolebindings", "rbac.authorization.k8s.io", ("rolebinding",)),
    Builtin("clusterroles", "rbac.authorization.k8s.io", ("clusterrole",), namespaced=False),
    Builtin(
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        ("clusterrolebinding",),
        namespaced=False,
    ),
    Builtin("storageclasses", "storage.k8s.io", ("storageclass", "sc"), namespaced=False),
    Builtin(
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        ("customresourcedefinition", "crd", "crds"),
        namespaced=False,
    ),
    Builtin("priorityclasses", "scheduling.k8s.io", ("priorityclass", "pc"), namespaced=False),
    Builtin(
        "certificatesigningrequests",
        "certificates.k8s.io",
        ("certificatesigningrequest", "csr"),
        namespaced=False,
    ),
    Builtin("apiservices", "apiregistration.k8s.io", ("apiservice",), namespaced=False),
)

_BY_WORD: Final = MappingProxyType(
    {
        word: builtin
        for builtin in _BUILTINS
        for base in (builtin.plural, *builtin.spellings)
        for word in ((base, f"{base}.{builtin.group}") if builtin.group else (base,))
    }
)


@dataclass(frozen=True, slots=True)
class Resource:
    """A type as the policy names it."""

    plural: str
    group: str | None
    """``""`` for the core group; None when not known (a custom resource typed without one)."""
    namespaced: bool
    builtin: bool

    @property
    def name(self) -> str:
        """``deployments``, ``certificates.cert-manager.io``: how rules and replies name it."""
        return self.plural if self.builtin or not self.group else f"{self.plural}.{self.group}"


def resource(word: str) -> Resource:
    """The type ``word`` stands for; an unknown word is a custom resource's plural[.group]."""
    word = word.lower()
    builtin = _BY_WORD.get(word)
    if builtin is not None:
        return Resource(builtin.plural, builtin.group, builtin.namespaced, builtin=True)
    plural, dot, group = word.partition(".")
    return Resource(plural, group if dot else None, namespaced=True, builtin=False)


def is_builtin(word: str) -> bool:
    """True when ``word`` spells a built-in type."""
    return word.lower() in _BY_WORD


def covers(pattern: str, target: Resource) -> bool:
    """Whether a rule's resource (normalised at load: a plural or ``plural.group``) names it."""
    if pattern == "*":
        return True
    plural, dot, group = pattern.partition(".")
    if target.builtin:
        return pattern == target.plural
    if plural != target.plural:
        return False
    # A custom resource typed without its group matches a rule naming any group of that plural.
    return not dot or target.group is None or target.group == group
