"""The sandbox's image registry: which tags of the demo's well-known images exist.

A real pull of a tag that was never pushed fails (ErrImagePull, then ImagePullBackOff), which is
what the Kubernetes tutorial shows with ``kubernetes-bootcamp:v10`` before ``rollout undo``. The
repositories below answer as the real ones do (the bootcamp has v1 and v2 only; nginx, redis and
busybox the shapes of their published tags); any other repository accepts every tag, so made-up
images (``ghcr.io/acme/api:1.5.0``) still run. A digest reference always resolves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from kubesim.kubelet.images import resolved

_NGINX: Final = re.compile(
    r"(latest|stable|mainline|alpine|alpine-slim|perl|bookworm|alpine-perl"
    r"|(stable|mainline)-(alpine|alpine-slim|perl|bookworm)"
    r"|1(\.(1[0-9]|2[0-9]|[7-9])(\.\d{1,2})?)?(-(alpine|alpine-slim|perl|bookworm|alpine-perl))?)"
)
_REDIS: Final = re.compile(
    r"(latest|alpine|bookworm|[2-8](\.\d(\.\d{1,2})?)?(-(alpine|bookworm))?)"
)
_BUSYBOX: Final = re.compile(
    r"(latest|stable|musl|glibc|uclibc|1(\.(2[0-9]|3[0-7])(\.\d)?)?(-(musl|glibc|uclibc))?)"
)

TAGS: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType(
    {
        "gcr.io/google-samples/kubernetes-bootcamp": re.compile(r"v1|v2"),
        "docker.io/library/nginx": _NGINX,
        "docker.io/library/redis": _REDIS,
        "docker.io/library/busybox": _BUSYBOX,
    }
)
"""Published tags of the repositories the sandbox knows, by resolved repository."""


def exists(image: str) -> bool:
    """Whether pulling ``image`` would find it: a known repository's tags, anything else."""
    ref = resolved(image)
    if "@" in ref:
        return True
    repository, _, tag = ref.rpartition(":")
    known = TAGS.get(repository)
    return known is None or known.fullmatch(tag) is not None
