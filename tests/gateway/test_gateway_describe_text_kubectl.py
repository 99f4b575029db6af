"""Documents of objects holding awkward user text, judged by the real kubectl v1.32.

Labels and annotations long, multi-line, empty, non-ASCII and many; ConfigMap data of several
lines and binary data; a Secret's keys (sizes only); a Deployment whose pod template holds env
values, commands and arguments of several lines; Events whose messages hold line breaks and ESC;
a Service of many ports; a Namespace with labels; an Ingress with wildcard and missing hosts.
kubectl creates every object, so the sandbox stores what a real API server would.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.render_text import result_text
from kubesim.api.resources import by_kind
from tests.gateway.support import run
from tests.gateway.test_gateway_kubectl import Judge, judging
from tests.kubesim.kubectl import eventually

pytestmark = pytest.mark.kubectl

_KEY = "example.com/note"
ANNOTATIONS = {
    "a-long": "x" * 200,
    "b-edge-fits": "y" * (140 - len("b-edge-fits") - 2),
    "c-edge-over": "z" * (140 - len("c-edge-over") - 1),
    "d-lines": "first line\nsecond line\n\nfourth",
    "e-trailing-newline": "ends here\n",
    "f-empty": "",
    "g-unicode": "é" * 70,
    "h-unicode-short": "naïve café ☕",
    "i-escape": "\x1b[31mred\x1b[0m and \r back",
    "j-long-lines": ("w" * 150 + "\n") * 2 + "short",
    "k-tab": "one\ttwo",
    "l-unicode-cut": "a" + "é" * 80,
    "m-emoji-fits": "☕" * 42,
    "n-newlines": "\n\n",
    _KEY: "a qualified key",
}
LABELS = {f"key-{n:02d}": f"value-{n}" for n in range(12)} | {"empty": "", "example.com/x": "y"}


GADGETS = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Gadget", "listKind": "GadgetList", "plural": "gadgets",
                  "singular": "gadget"},
        "scope": "Namespaced",
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
            "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}],
    },
}  # fmt: skip
GADGET_SPEC = {
    "café": "accented key",
    "naïveField": 1,
    "日本語": "no case",
    "PDFLoader": "acronym run",
    "apiURLs": "known acronyms",
    "HTTPProxy": "x",
    "with-dash": "d",
    "with_under": "u",
    "dotted.key": "kept",
    "v1beta": "digits",
    "ÉtéLong": 2,
    "ßig": "no one-rune title case",
    "ǆungla": "a title case of its own",
    "ªbc": "a letter neither lower nor upper",
    "big": 12345678901234567890,
    "bigger": 10**20,
    "int64": 2**63 - 1,
    "negativeBig": -(2**63) - 1025,
    "million": 1234567.5,
    "hundredThousand": 123456.5,
    "smallFraction": 0.00012,
    "negativeFloat": -2.5e-7,
    "floats": [1.5, 1234567.25, 1e-5, 10**19],
    "negative": -7,
    "float": 0.1,
    "huge": 1e21,
    "tiny": 1e-5,
    "whole": 2.0,
    "none": None,
    "yes": True,
    "empty": "",
    "emptyMap": {},
    "emptyList": [],
    "lines": "one\ntwo",
    "percent": "100% %d %s",
    "list": [1, 2.5, True, None, "s", [1, "a", {"k": "v"}], {"inner": {"deep": [3]}}],
    "nested": {"zKey": {"aKey": "x"}, "aList": [{"name": "n", "value": "multi\nline"}]},
}
"""Fields of a type kubectl has no describer for: its generic one labels each key and prints
each value as Go's %v."""


def _rich(stamp: str) -> list[dict[str, object]]:
    """Workloads whose pod template holds probes, mounts, volumes and tolerations of every
    shape; Services of each type; events of the new series form and of a host."""
    micro = stamp.replace("Z", ".123456Z")
    probe = {"exec": {"command": ["sh", "-c", "test -f /tmp/ok\necho ok"]}, "periodSeconds": 7}
    template = {
        "metadata": {"labels": {"app": "rich"}},
        "spec": {
            "serviceAccountName": "robot",
            "nodeSelector": {"disk": "ssd", "zone": "a b"},
            "priorityClassName": "high",
            "tolerations": [
                {"key": "k", "operator": "Equal", "value": "v\nw", "effect": "NoSchedule"},
                {"operator": "Exists"},
                {
                    "key": "gone",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 30,
                },
            ],
            "initContainers": [{"name": "init", "image": "busybox", "args": ["a\nb"]}],
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "livenessProbe": probe,
                    "readinessProbe": {
                        "httpGet": {
                            "path": "/health z",
                            "port": "http",
                            "host": "example.com",
                            "scheme": "HTTPS",
                            "httpHeaders": [{"name": "X", "value": "y"}],
                        }
                    },
                    "startupProbe": {"tcpSocket": {"port": 8080}, "failureThreshold": 30},
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "volumeMounts": [
                        {"name": "conf", "mountPath": "/etc/conf", "readOnly": True},
                        {"name": "scratch", "mountPath": "/tmp", "subPath": "a\nb"},
                        {"name": "token", "mountPath": "/var/token"},
                    ],
                },
                {
                    "name": "side",
                    "image": "busybox",
                    "livenessProbe": {"httpGet": {"path": "ready?x=1&y=é#f!*'()%", "port": 9000}},
                    "readinessProbe": {
                        "httpGet": {"path": "/[a]/~b/$c", "port": 9001, "host": "::1"}
                    },
                    "startupProbe": {"httpGet": {"path": "*", "port": 9002, "host": "a b"}},
                },
            ],
            "volumes": [
                {
                    "name": "conf",
                    "configMap": {
                        "name": "awkward",
                        "optional": True,
                        "items": [{"key": "lines", "path": "l"}],
                    },
                },
                {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
                {
                    "name": "token",
                    "projected": {
                        "sources": [
                            {"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}},
                            {"secret": {"name": "awkward"}},
                            {
                                "downwardAPI": {
                                    "items": [
                                        {"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}
                                    ]
                                }
                            },
                        ]
                    },
                },
                {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
                {"name": "creds", "secret": {"secretName": "awkward", "defaultMode": 256}},
            ],
        },
    }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "rich", "namespace": "default"},
            "spec": {
                "selector": {"matchLabels": {"app": "rich"}},
                "strategy": {"type": "Recreate"},
                "minReadySeconds": 5,
                "revisionHistoryLimit": 3,
                "paused": True,
                "template": template,
            },
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "rich", "namespace": "default", "annotations": ANNOTATIONS},
            "spec": {"template": {**template, "spec": {**template["spec"],
                                                        "restartPolicy": "Never"}},
                     "backoffLimit": 2, "completions": 3, "parallelism": 2},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "rich", "namespace": "default", "labels": LABELS},
            "spec": {"schedule": "*/5 * * * *", "timeZone": "Europe/Paris", "suspend": True,
                     "jobTemplate": {"spec": {"template": {**template, "spec": {
                         **template["spec"], "restartPolicy": "OnFailure"}}}}},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "rich", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "rich"}}, "template": template},
        },
        *(
            {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": name, "namespace": "default"}, "spec": spec}
            for name, spec in [
                ("nodeports", {"type": "NodePort", "selector": {"app": "rich"},
                               "externalTrafficPolicy": "Local",
                               "ports": [{"name": "a", "port": 80, "nodePort": 30080},
                                         {"name": "b", "port": 81, "protocol": "UDP"}]}),
                ("external", {"type": "ExternalName", "externalName": "db.example.com"}),
                ("headless", {"clusterIP": "None", "selector": {"app": "rich"},
                              "ports": [{"port": 5432}]}),
                ("balanced", {"type": "LoadBalancer", "selector": {"app": "rich"},
                              "sessionAffinity": "ClientIP",
                              "externalIPs": ["203.0.113.7", "203.0.113.8"],
                              "loadBalancerSourceRanges": ["10.0.0.0/8"],
                              "ports": [{"port": 443, "targetPort": "https"}]}),
            ]
        ),
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "rich.new", "namespace": "default"},
            "involvedObject": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "rich",
                               "namespace": "default"},
            "reason": "Series",
            "message": "seen\nmany times",
            "type": "Warning",
            "eventTime": micro,
            "action": "Probe",
            "reportingComponent": "rich-controller",
            "reportingInstance": "rich-controller-1",
            "series": {"count": 5, "lastObservedTime": micro},
        },
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "rich.old", "namespace": "default"},
            "involvedObject": {"apiVersion": "batch/v1", "kind": "Job", "name": "rich",
                               "namespace": "default"},
            "reason": "Host",
            "message": "from a host",
            "type": "Normal",
            "count": 2,
            "source": {"component": "kubelet", "host": "sandbox-worker"},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
        },
    ]  # fmt: skip


def _ended() -> dict[str, object]:
    """A pod a kubelet has given up on, its reasons and messages of several lines."""
    started = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    statuses = [
        {
            "name": "app",
            "image": "nginx:1.27",
            "imageID": "",
            "ready": False,
            "restartCount": 7,
            "started": False,
            "state": {
                "waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": "back-off 5m0s\nrestarting failed container",
                }
            },
            "lastState": {
                "terminated": {
                    "exitCode": 137,
                    "signal": 9,
                    "reason": "OOMKilled",
                    "message": "killed\n\x1b[31mout of memory\r",
                    "startedAt": started,
                    "finishedAt": started,
                }
            },
        },
        {
            "name": "side",
            "image": "busybox",
            "imageID": "",
            "ready": False,
            "restartCount": 0,
            "state": {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "message": "",
                    "startedAt": started,
                    "finishedAt": started,
                }
            },
        },
    ]
    return {
        "metadata": {"name": "ended", "namespace": "default", "labels": {"app": "ended"},
                     "annotations": {"note": "multi\nline"}},
        "spec": {"nodeName": "sandbox-worker", "containers": [
            {"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "busybox"}]},
        "status": {
            "phase": "Failed",
            "reason": "Evicted",
            "message": "The node was low on resource: memory.\nThreshold quantity: 100Mi",
            "hostIP": "10.0.0.2",
            "podIP": "10.244.1.9",
            "podIPs": [{"ip": "10.244.1.9"}, {"ip": "fd00::9"}],
            "startTime": started,
            "conditions": [
                {"type": "Ready", "status": "False", "reason": "PodFailed",
                 "message": "two\nlines", "lastTransitionTime": started},
                {"type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet",
                 "lastTransitionTime": started},
            ],
            "containerStatuses": statuses,
        },
    }  # fmt: skip


def _manifests() -> list[dict[str, object]]:
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = {"labels": LABELS, "annotations": ANNOTATIONS}
    container = {
        "name": "app",
        "image": "nginx:1.27",
        "command": ["/bin/sh", "-c", "echo one\necho two\n"],
        "args": ["--flag=a b", "multi\nline", "", "\x1b[1mbold"],
        "ports": [
            {"containerPort": 80, "name": "http"},
            {"containerPort": 53, "protocol": "UDP", "name": "dns"},
            {"containerPort": 9090, "hostPort": 9090},
        ],
        "env": [
            {"name": "PLAIN", "value": "plain"},
            {"name": "LINES", "value": "one\ntwo\nthree"},
            {"name": "ESCAPE", "value": "\x1b[0m\rback"},
            {"name": "EMPTY", "value": ""},
            {"name": "UNICODE", "value": "日本語"},
            {"name": "FROM_FIELD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {
                "name": "FROM_MAP",
                "valueFrom": {"configMapKeyRef": {"name": "awkward", "key": "lines"}},
            },
            {
                "name": "FROM_SECRET",
                "valueFrom": {
                    "secretKeyRef": {"name": "awkward", "key": "token", "optional": True}
                },
            },
            *(
                {"name": f"FROM_{n}", "valueFrom": {"resourceFieldRef": ref}}
                for n, ref in enumerate(
                    [
                        {"resource": "limits.memory"},
                        {"resource": "limits.cpu"},
                        {"resource": "requests.cpu", "divisor": "1m"},
                        {"resource": "requests.memory", "divisor": "1Mi"},
                        {"resource": "limits.ephemeral-storage", "divisor": "1M"},
                        {"resource": "requests.ephemeral-storage"},
                        {"resource": "limits.hugepages-2Mi"},
                    ]
                )
            ),
        ],
        "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "1Gi"},
            "requests": {"cpu": "100m", "memory": "64Mi"},
        },
    }
    bare = {**container, "env": [*container["env"], {"name": "NO_LIMIT", "valueFrom": {
        "resourceFieldRef": {"resource": "limits.cpu", "containerName": "app"}}}]}  # fmt: skip
    bare["resources"] = {"requests": {"memory": "1Gi"}}
    return [
        GADGETS,
        {
            "apiVersion": "example.com/v1",
            "kind": "Gadget",
            "metadata": {"name": "odd", "namespace": "default", **meta},
            "spec": GADGET_SPEC,
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "bare", "namespace": "default", **meta},
            "spec": {"containers": [bare], "nodeName": "sandbox-worker"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "odd", "namespace": "default"},
            "spec": {
                "serviceName": "many",
                "selector": {"matchLabels": {"app": "odd-set"}},
                "template": {
                    "metadata": {"labels": {"app": "odd-set"}},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "odd", **meta},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "awkward", "namespace": "default", **meta},
            "data": {
                "lines": "one\ntwo\nthree\n",
                "empty": "",
                "no-newline": "one\ntwo",
                "unicode": "héllo wörld ☕",
                "escape": "\x1b[31mred\x1b[0m\rback",
                "blank-lines": "\n\n",
            },
            "binaryData": {"blob": "AAECAwQ=", "empty-blob": ""},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "awkward", "namespace": "default", **meta},
            "stringData": {"token": "s3cr3t\nline two\n"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "odd", "namespace": "default", **meta},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "odd"}},
                "template": {
                    "metadata": {
                        "labels": {"app": "odd", "empty": ""},
                        "annotations": {"d-lines": "a\nb", "a-long": "q" * 160},
                    },
                    "spec": {"containers": [container]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "many", "namespace": "default", **meta},
            "spec": {
                "selector": {"app": "odd", "tier": "front", "empty": ""},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "http"},
                    {"name": "https", "port": 443, "targetPort": 8443},
                    {"name": "dns", "port": 53, "protocol": "UDP"},
                    {"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"},
                ],
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "odd", "namespace": "default", **meta},
            "spec": {
                "tls": [{"hosts": ["*.example.com", "a.example.com"]}, {"secretName": "only"}],
                "rules": [
                    {
                        "host": "*.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": "many", "port": {"name": "http"}}
                                    },
                                }
                            ]
                        },
                    },
                    {
                        "host": "xn--bcher-kva.example",
                        "http": {
                            "paths": [
                                {
                                    "pathType": "ImplementationSpecific",
                                    "backend": {
                                        "service": {"name": "many", "port": {"number": 443}}
                                    },
                                }
                            ]
                        },
                    },
                ],
            },
        },
        *_rich(stamp),
        *(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": f"odd.{n}", "namespace": "default"},
                "involvedObject": {
                    "apiVersion": api,
                    "kind": kind,
                    "name": name,
                    "namespace": "default",
                },
                "reason": reason,
                "message": message,
                "type": kind_of_event,
                "count": count,
                "source": {"component": "probe"},
                "firstTimestamp": stamp,
                "lastTimestamp": stamp,
            }
            for n, (api, kind, name, reason, message, kind_of_event, count) in enumerate(
                [
                    ("apps/v1", "Deployment", "odd", "Lines", "one\ntwo\nthree", "Normal", 1),
                    ("apps/v1", "Deployment", "odd", "Escape", "\x1b[1mbold\r", "Warning", 3),
                    ("v1", "ConfigMap", "awkward", "Tabbed", "a\tb  c", "Normal", 1),
                    ("v1", "Service", "many", "Empty", "", "Normal", 2),
                    ("v1", "Namespace", "odd", "Trailing", "ends\n", "Normal", 1),
                    ("v1", "Pod", "bare", "Lines", "first\nsecond", "Warning", 4),
                ]
            )
        ),
    ]


@pytest.fixture(scope="module")
def awkward() -> Iterator[Judge]:
    with judging(scenario="demo", controllers=False) as made:
        sandbox, home = made.sandbox, made.home
        for n, manifest in enumerate(_manifests()):
            path = Path(home) / f"{n}.json"
            path.write_text(json.dumps(manifest))
            made.kubectl(f"create -f {path}")
            if manifest is GADGETS:
                eventually(lambda: "gadgets" in made.kubectl("api-resources"), what="Gadgets")
        sandbox.call(sandbox.store.create, by_kind("Pod"), _ended())
        yield made


@pytest.mark.parametrize(
    "text",
    [
        "describe ns odd",
        "describe secret awkward",
        "describe pod bare",
        "describe pod ended",
        "get pod ended -o wide",
        "rollout status deployment/odd --watch=false",
        "rollout status deployment/rich --watch=false",
        "rollout status statefulset/odd --watch=false",
        "rollout status daemonset/rich --watch=false",
        "describe deployment odd",
        "describe svc many",
        "describe ing odd",
        "describe gadget odd",
        "describe deployment rich",
        "describe job rich",
        "describe cronjob rich",
        "describe daemonset rich",
        "describe svc nodeports",
        "describe svc external",
        "describe svc headless",
        "describe svc balanced",
        "get events --field-selector involvedObject.name=rich",
        "get events",
        "get events -o wide",
        "rollout history deployment/odd",
        "rollout history deployment/odd --revision=2",
        "rollout history statefulset/odd",
        "rollout history sts/odd --revision=1",
    ],
)
def test_awkward_text_matches_kubectl(awkward: Judge, text: str) -> None:
    awkward.compare(text)


def _blocks(text: str) -> tuple[str, list[str]]:
    """A ConfigMap's description with its Data entries apart and sorted: kubectl prints them
    in Go's map order, which changes from one run to the next."""
    head, _, rest = text.partition("\nData\n====\n")
    data, _, tail = rest.partition("\nBinaryData\n====\n")
    binary, _, events = tail.partition("\nEvents:")
    keys = re.compile(r"^([-\w.]+):\n----\n", re.MULTILINE)
    starts = [m.start() for m in keys.finditer(data)] + [len(data)]
    entries = [data[a:b] for a, b in itertools.pairwise(starts)]
    return head + events, sorted(entries) + sorted(binary.splitlines())


def test_config_map_data_matches_kubectl(awkward: Judge) -> None:
    """Each value whole, of several lines, empty or escaped; binary data by its size."""
    ours, theirs = awkward.bot("describe cm awkward"), awkward.kubectl("describe cm awkward")
    assert _blocks(ours.rstrip("\n")) == _blocks(theirs.rstrip("\n"))


@pytest.mark.parametrize("target", ["statefulset/odd", "daemonset/rich"])
def test_set_status_without_watch_looks_once(awkward: Judge, target: str) -> None:
    """Neither set is ever observed here: kubectl prints the line once and stops, and so does
    the bot (it followed for its whole limit), for ``--timeout`` when it watches."""
    once = run(awkward.gateway, f"rollout status {target} --watch=false")
    assert result_text(once) == awkward.kubectl(f"rollout status {target} --watch=false")
    assert once.notes == ()
    bounded = run(awkward.gateway, f"rollout status {target} --timeout=1s")
    assert bounded.notes == (
        "the rollout is still in progress after 1 s; run rollout status again to keep following it",
    )
