"""The parser, table-driven: what each accepted line becomes (what each refused line says is in
``test_grammar_refusals``)."""

from __future__ import annotations

import re

import pytest

from bot.core.command import Command
from bot.core.grammar import parse
from bot.core.verbs.cordon import Cordon
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get, OutputFormat
from bot.core.verbs.help import Help
from bot.core.verbs.label import MetadataChange, MetadataField
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.rollout_pause import PauseRollout
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.top import Top
from bot.core.verbs.version import Version
from bot.errors import UsageError

BOOTCAMP = "kubernetes-bootcamp"

# Every command of the Kubernetes "Learn Kubernetes Basics" tutorial (modules 1-6), verbatim.
TUTORIAL_ACCEPTED: list[tuple[str, Command]] = [
    ("kubectl version", Version()),
    ("kubectl get nodes", Get("nodes")),
    ("kubectl get deployments", Get("deployments")),
    ("kubectl get pods", Get("pods")),
    ("kubectl describe pods", Describe("pods", None)),
    ("kubectl get services", Get("services")),
    ("kubectl describe services/kubernetes-bootcamp", Describe("services", BOOTCAMP)),
    ("kubectl describe deployment", Describe("deployments", None)),
    ("kubectl get pods -l app=kubernetes-bootcamp", Get("pods", selector=f"app={BOOTCAMP}")),
    (
        "kubectl get services -l app=kubernetes-bootcamp",
        Get("services", selector=f"app={BOOTCAMP}"),
    ),
    ("kubectl get pods -l version=v1", Get("pods", selector="version=v1")),
    (
        "kubectl delete service -l app=kubernetes-bootcamp",
        Delete("services", selector=f"app={BOOTCAMP}"),
    ),
    ("kubectl get rs", Get("rs")),
    ("kubectl scale deployments/kubernetes-bootcamp --replicas=4", Scale(BOOTCAMP, 4)),
    ("kubectl scale deployments/kubernetes-bootcamp --replicas=2", Scale(BOOTCAMP, 2)),
    ("kubectl get pods -o wide", Get("pods", output=OutputFormat.WIDE)),
    ("kubectl describe deployments/kubernetes-bootcamp", Describe("deployments", BOOTCAMP)),
    (
        "kubectl set image deployments/kubernetes-bootcamp "
        "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2",
        SetImage(BOOTCAMP, ((BOOTCAMP, "docker.io/jocatalin/kubernetes-bootcamp:v2"),)),
    ),
    (
        "kubectl set image deployments/kubernetes-bootcamp "
        "kubernetes-bootcamp=gcr.io/google-samples/kubernetes-bootcamp:v10",
        SetImage(BOOTCAMP, ((BOOTCAMP, "gcr.io/google-samples/kubernetes-bootcamp:v10"),)),
    ),
    (
        "kubectl rollout status deployments/kubernetes-bootcamp",
        Rollout(RolloutAction.STATUS, BOOTCAMP),
    ),
    ("kubectl rollout undo deployments/kubernetes-bootcamp", Rollout(RolloutAction.UNDO, BOOTCAMP)),
    ("kubectl get nodes --help", Help("get")),
]

# Tutorial commands the bot refuses: (text, what the one-line answer must say).
TUTORIAL_REFUSED: list[tuple[str, str]] = [
    (
        "kubectl create deployment kubernetes-bootcamp "
        "--image=gcr.io/google-samples/kubernetes-bootcamp:v1",
        "create is not available",
    ),
    ("kubectl proxy", "proxy is not available"),
    (
        "kubectl get pods -o go-template --template "
        """'{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'""",
        "--template is not available for get",
    ),
    ('kubectl exec "$POD_NAME" -- env', "exec is not available"),
    ("kubectl exec -ti $POD_NAME -- bash", "exec is not available"),
    ('kubectl expose deployment/kubernetes-bootcamp --type="NodePort" --port 8080', "expose"),
    ('kubectl expose deployment/kubernetes-bootcamp --type="LoadBalancer" --port 8080', "expose"),
    (
        "kubectl get services/kubernetes-bootcamp "
        "-o go-template='{{(index .spec.ports 0).nodePort}}'",
        'output format "go-template" is not supported',
    ),
    ('kubectl label pods "$POD_NAME" version=v1', "type the pod's name instead"),
    ('kubectl describe pods "$POD_NAME"', "does not expand"),
    ('kubectl logs "$POD_NAME"', "does not expand"),
    ("kubectl logs $POD_NAME", "does not expand"),
    ("kubectl describe pod $AFFECTED_POD", "does not expand"),
    (
        "kubectl get pods --field-selector status.phase=Pending -o go-template "
        "--template '{{range .items}}{{.metadata.name}}{{end}}'",
        "--template is not available for get: go templates are not supported",
    ),
    (
        "kubectl delete deployments/kubernetes-bootcamp services/kubernetes-bootcamp",
        "delete is limited to pods, services, statefulsets",
    ),
    ("kubectl exec -ti $POD_NAME -- curl http://localhost:8080", "exec is not available"),
    ("kubectl cluster-info", "cluster-info is not available"),
    (
        "kubectl run kubernetes-bootcamp --image=docker.io/jocatalin/kubernetes-bootcamp:v1 "
        "--port=8080",
        "run is not available",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TUTORIAL_ACCEPTED)
def test_tutorial_command_parses(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "says"), TUTORIAL_REFUSED)
def test_tutorial_command_refused_with_reason(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        parse(text)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prefixes, empty text
        ("", Help()),
        ("   ", Help()),
        ("/k8s get pods", Get("pods")),
        ("/k8s kubectl get pods", Get("pods")),
        ("k get po", Get("po")),
        ("--help", Help()),
        ("help", Help()),
        ("help logs", Help("logs")),
        ("help exec", Help("exec")),
        ("help rollout undo", Help("rollout undo")),
        ("logs -h", Help("logs")),
        # get
        ("get deploy/web", Get("deploy", name="web")),
        ("get pods web-1 -n prod", Get("pods", name="web-1", namespace="prod")),
        ("get pods --namespace=prod", Get("pods", namespace="prod")),
        ("get pods --namespace prod", Get("pods", namespace="prod")),
        ("get pods -nprod", Get("pods", namespace="prod")),
        ("get pods -n=prod", Get("pods", namespace="prod")),
        ("-n prod get pods", Get("pods", namespace="prod")),
        ("get -n prod pods", Get("pods", namespace="prod")),
        ("get pods -A", Get("pods", all_namespaces=True)),
        ("get pods --all-namespaces", Get("pods", all_namespaces=True)),
        ("get pods -Ao wide", Get("pods", all_namespaces=True, output=OutputFormat.WIDE)),
        ("get pods --selector=app=web", Get("pods", selector="app=web")),
        ("get pods -l 'env in (a, b),!canary'", Get("pods", selector="env in (a, b),!canary")),
        ("get pods -l tier!=db,app", Get("pods", selector="tier!=db,app")),
        ("get nodes -l 'gpu>1'", Get("nodes", selector="gpu>1")),
        ("get pods -l example.com/app=web", Get("pods", selector="example.com/app=web")),
        ("get pods -l 'app notin (a)'", Get("pods", selector="app notin (a)")),
        ("get pods -l '!canary'", Get("pods", selector="!canary")),
        ("get pods -l app==web,tier=", Get("pods", selector="app==web,tier=")),
        ("get pods -o yaml", Get("pods", output=OutputFormat.YAML)),
        ("get deploy web -o=json", Get("deploy", name="web", output=OutputFormat.JSON)),
        ("get pods --output name", Get("pods", output=OutputFormat.NAME)),
        ("get widgets.example.com", Get("widgets.example.com")),
        ("get deployments.v1.apps", Get("deployments.v1.apps")),
        ("get clusterrole system:controller:job", Get("clusterrole", name="system:controller:job")),
        ("GET pods", Get("pods")),
        # describe
        ("describe po web-1", Describe("pods", "web-1")),
        ("describe deploy web -n prod", Describe("deployments", "web", namespace="prod")),
        ("describe svc/web", Describe("services", "web")),
        ("describe no node-1", Describe("nodes", "node-1")),
        ("describe node node-1 -n prod", Describe("nodes", "node-1")),
        ("describe pods -l app=web", Describe("pods", None, selector="app=web")),
        # logs
        ("logs web-1", Logs("web-1")),
        ("logs pod/web-1", Logs("web-1")),
        ("logs deployment/web", Logs("web", kind="deployment")),
        ("logs deploy/web -n prod", Logs("web", kind="deployment", namespace="prod")),
        ("logs web-1 app", Logs("web-1", container="app")),
        ("logs web-1 -c app", Logs("web-1", container="app")),
        ("logs web-1 --container=app", Logs("web-1", container="app")),
        ("logs web-1 --tail 20", Logs("web-1", tail=20)),
        ("logs web-1 --tail=0", Logs("web-1", tail=0)),
        ("logs web-1 --since 10m", Logs("web-1", since_seconds=600)),
        ("logs web-1 --since=1h", Logs("web-1", since_seconds=3600)),
        ("logs web-1 --since 30s", Logs("web-1", since_seconds=30)),
        ("logs web-1 --since 2h30m", Logs("web-1", since_seconds=9000)),
        ("logs web-1 --since 1500ms", Logs("web-1", since_seconds=2)),
        ("logs web-1 -p", Logs("web-1", previous=True)),
        ("logs web-1 --previous", Logs("web-1", previous=True)),
        ("logs web-1 --previous=false", Logs("web-1")),
        ("logs web-1 --timestamps", Logs("web-1", timestamps=True)),
        ("logs web-1 -pc app", Logs("web-1", container="app", previous=True)),
        ("logs -l app=web", Logs(None, selector="app=web")),
        # scale
        ("scale deployment/web --replicas=3", Scale("web", 3)),
        ("scale deployments/web --replicas=3", Scale("web", 3)),
        ("scale deploy web --replicas 4", Scale("web", 4)),
        ("scale --replicas=0 deploy/web", Scale("web", 0)),
        ("scale deploy/web --replicas=2 --current-replicas=3", Scale("web", 2, current_replicas=3)),
        ("scale deploy/web --replicas=2 -n prod", Scale("web", 2, namespace="prod")),
        # set image
        ("set image deploy/web web=nginx:1.27", SetImage("web", (("web", "nginx:1.27"),))),
        (
            "set image deployment web app=a:1 side=b@sha256:abc",
            SetImage("web", (("app", "a:1"), ("side", "b@sha256:abc"))),
        ),
        ("set image deploy/web *=nginx", SetImage("web", (("*", "nginx"),))),
        ("set image deploy/web a=b -n prod", SetImage("web", (("a", "b"),), namespace="prod")),
        # rollout
        ("rollout history deploy/web", Rollout(RolloutAction.HISTORY, "web")),
        (
            "rollout history deploy/web --revision=3",
            Rollout(RolloutAction.HISTORY, "web", to_revision=3),
        ),
        (
            "rollout undo deploy/web --to-revision=2",
            Rollout(RolloutAction.UNDO, "web", to_revision=2),
        ),
        ("rollout undo deploy/web --to-revision 0", Rollout(RolloutAction.UNDO, "web")),
        ("rollout restart deployment web", Rollout(RolloutAction.RESTART, "web")),
        (
            "rollout status deploy/web -n prod",
            Rollout(RolloutAction.STATUS, "web", namespace="prod"),
        ),
        (
            "rollout status deploy/web --watch=false",
            Rollout(RolloutAction.STATUS, "web", watch=False),
        ),
        ("rollout status deploy/web -w", Rollout(RolloutAction.STATUS, "web")),
        (
            "rollout status deploy/web --timeout=90s",
            Rollout(RolloutAction.STATUS, "web", timeout=90),
        ),
        (
            "rollout status deploy/web --timeout 2m",
            Rollout(RolloutAction.STATUS, "web", timeout=120),
        ),
        ("rollout status deploy/web --timeout=0", Rollout(RolloutAction.STATUS, "web", timeout=0)),
        ("rollout pause deployment/web", PauseRollout("web", paused=True)),
        ("rollout pause deploy web -n prod", PauseRollout("web", paused=True, namespace="prod")),
        ("rollout resume deployments/web", PauseRollout("web", paused=False)),
        ("rollout -n prod resume deploy/web", PauseRollout("web", paused=False, namespace="prod")),
        # delete
        ("delete pod web-1", Delete("pods", name="web-1")),
        ("delete po/web-1 -n prod", Delete("pods", name="web-1", namespace="prod")),
        ("delete service web", Delete("services", name="web")),
        ("delete svc/web", Delete("services", name="web")),
        ("delete services -l app=web", Delete("services", selector="app=web")),
        # cordon, uncordon
        ("cordon sandbox-worker", Cordon("sandbox-worker", unschedulable=True)),
        ("kubectl cordon node/sandbox-worker", Cordon("sandbox-worker", unschedulable=True)),
        ("uncordon nodes/sandbox-worker", Cordon("sandbox-worker", unschedulable=False)),
        ("uncordon no/node-1", Cordon("node-1", unschedulable=False)),
        # label, annotate
        (
            "label deploy web tier=front app- -n prod",
            MetadataChange(
                MetadataField.LABELS,
                "deploy",
                "web",
                (("tier", "front"),),
                ("app",),
                namespace="prod",
            ),
        ),
        (
            "kubectl label --overwrite pods web-1 example.com/tier=",
            MetadataChange(
                MetadataField.LABELS, "pods", "web-1", (("example.com/tier", ""),), overwrite=True
            ),
        ),
        (
            "label node/sandbox-worker disk=ssd",
            MetadataChange(MetadataField.LABELS, "node", "sandbox-worker", (("disk", "ssd"),)),
        ),
        (
            "annotate certificates.cert-manager.io web-tls note='a=b c' owner-",
            MetadataChange(
                MetadataField.ANNOTATIONS,
                "certificates.cert-manager.io",
                "web-tls",
                (("note", "a=b c"),),
                ("owner",),
            ),
        ),
    ],
)
def test_parses(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Slack's typographic quotes
        ("logs web-1 -l “app=web”", None),
        ("get pods -l “app=web”", Get("pods", selector="app=web")),
        ("get pods -l ‘app=web’", Get("pods", selector="app=web")),
        ("“get pods -n prod”", Get("pods", namespace="prod")),
        # Slack's auto-links and escapes
        (
            "set image deploy/web web=<http://docker.io/nginx:1|docker.io/nginx:1>",
            SetImage("web", (("web", "docker.io/nginx:1"),)),
        ),
        ("get pods -n <mailto:prod|prod>", Get("pods", namespace="prod")),
        ("get <http://example.com>", None),
        ("get nodes -l 'gpu&gt;1'", Get("nodes", selector="gpu>1")),
        # smart dashes from macOS / iOS keyboards
        ("scale deploy/web \u2014replicas=3", Scale("web", 3)),
        ("get pods \u2013n prod", Get("pods", namespace="prod")),
        # non-breaking spaces and zero-width characters
        ("get\u00a0pods", Get("pods")),
        ("get po\u200bds", Get("pods")),
        # line continuation
        (
            "set image deployments/kubernetes-bootcamp \\\nkubernetes-bootcamp=x:v2",
            SetImage(BOOTCAMP, ((BOOTCAMP, "x:v2"),)),
        ),
    ],
)
def test_slack_formatting_is_undone(text: str, expected: Command | None) -> None:
    if expected is None:
        with pytest.raises(UsageError):
            parse(text)
    else:
        assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("top nodes", Top("nodes")),
        ("top no sandbox-worker", Top("nodes", name="sandbox-worker")),
        ("top po -n prod --sort-by=memory", Top("pods", namespace="prod", sort_by="memory")),
        ("top pods -A --containers", Top("pods", all_namespaces=True, containers=True)),
        ("top pod -l app=web --no-headers", Top("pods", selector="app=web", headers=False)),
    ],
)
def test_top_parses(text: str, expected: Top) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("top", "top needs pods or nodes"),
        ("top deployments", 'top works on pods, nodes only, not "deployments"'),
        ("top nodes -n prod", "nodes have no namespace or containers"),
        ("top pods --sort-by=name", '--sort-by takes cpu or memory, not "name"'),
    ],
)
def test_top_refuses(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=re.escape(says)):
        parse(text)


@pytest.mark.parametrize(
    "text", ["scale secret/x --replicas=1", "rollout undo secrets/x", "logs configmap/x"]
)
def test_a_real_type_is_not_taken_for_a_typo(text: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        parse(text)
    assert "did you mean" not in (caught.value.hint or "")
