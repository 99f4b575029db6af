"""The parser, table-driven: what each accepted line becomes, and what each refusal says."""

from __future__ import annotations

import re

import pytest

from bot.core import values
from bot.core.command import Command
from bot.core.grammar import MAX_COMMAND_BYTES, parse
from bot.core.usage import usage
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


def _refusal(text: str) -> UsageError:
    with pytest.raises(UsageError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("exec web -- sh", "exec is not available"),
        ("attach web", "attach is not available"),
        ("proxy", "proxy is not available"),
        ("port-forward web 8080:80", "port-forward is not available"),
        ("edit deploy/web", "edit needs an interactive editor"),
        ("apply -f app.yaml", "apply is not available"),
        ("create -f app.yaml", "create is not available"),
        ("cp web:/etc/passwd .", "cp is not available"),
        ("run web --image=nginx", "run is not available"),
        ("taint nodes node-1 k=v:NoSchedule", "node maintenance"),
        ("label", "label needs a type, a name and KEY=VALUE"),
        ("label deploy/web", "at least one label update is required"),
        ("annotate deploy web", "at least one annotation update is required"),
        ("label deploy web a=b=c", "invalid label spec: a=b=c"),
        ("label deploy web a=x a-", "can not both modify and remove a label in the same command"),
        ("annotate deploy web a=x a-", "can not both modify and remove an annotation"),
        ("label deploy web 'a b=c'", 'invalid label key "a b"'),
        ("label deploy web a='x y'", 'invalid label value "x y"'),
        ("annotate deploy web Bad.Prefix/k=v", 'invalid annotation key "Bad.Prefix/k"'),
        ("label deploy web tier", "invalid label spec: tier"),
        ("label deploy", "label needs TYPE NAME or TYPE/NAME"),
        ("drain node-1", "node maintenance"),
        ("cordon", "cordon needs a node name"),
        ("cordon node-1 node-2", "cordon one node at a time"),
        ("uncordon pod/web", 'uncordon works on nodes only, not "pod"'),
        ("cordon Node-1", 'invalid node name "Node-1"'),
        ("cordon node-1 -n prod", 'unknown flag "-n" for cordon'),
        ("config view", "fixed by its configuration"),
        ("set env deploy/web A=B", 'only "set image"'),
        (
            "rollout pause pod/web",
            "rollout pause works on deployments, statefulsets, daemonsets only",
        ),
        ("rollout resume deploy/web --to-revision=2", "--to-revision is only for rollout undo"),
        ("rollout pause deploy/web deploy/api", "rollout one deployment at a time"),
        ("rollout pause", "rollout pause needs deployment/NAME"),
        ("delete deployment web", "delete is limited to pods, services, statefulsets"),
        ("delete ns prod", "delete is limited to pods, services, statefulsets"),
        ("delete pod -l app=web", "-l is accepted for other types"),
        ("logs web -f", "following logs is not possible"),
        ("get pods -w", "watching is not possible"),
        ("delete pod web --force", "default grace period"),
    ],
)
def test_refusal_gives_reason(text: str, says: str) -> None:
    error = _refusal(text)
    assert says in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "flag",
    [
        "--as=admin",
        "--as admin",
        "--as-group=system:masters",
        "--as-uid=1",
        "--token=abc",
        "--server=https://evil",
        "-s https://evil",
        "-s=https://evil",
        "--kubeconfig=/etc/k",
        "--context=prod",
        "--cluster=prod",
        "--user=admin",
        "--insecure-skip-tls-verify",
        "--certificate-authority=/ca",
        "--client-key=/k",
        "--client-certificate=/c",
        "--username=u",
        "--password=p",
    ],
)
@pytest.mark.parametrize("line", ["get pods {}", "{} get pods", "scale deploy/web --replicas=1 {}"])
def test_identity_flags_refused(flag: str, line: str) -> None:
    error = _refusal(line.format(flag))
    assert "identity and cluster are fixed by its configuration" in str(error)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("gte pods", 'did you mean "get pods"?'),
        ("scael deploy/web --replicas=3", 'did you mean "scale deploy/web --replicas=3"?'),
        ("decsribe pod web", 'did you mean "describe pod web"?'),
        ("rollot status deploy/web", 'did you mean "rollout status deploy/web"?'),
        ("pods", 'did you mean "get pods"?'),
        ("get pods --namspace prod", 'did you mean "--namespace"?'),
        ("get pods --selectr app=web", 'did you mean "--selector"?'),
        ("logs web --tial 5", 'did you mean "--tail"?'),
        ("scale deploy/web --replica=3", 'did you mean "--replicas"?'),
        ("scale deploy/web -replicas=3", 'did you mean "--replicas=3"?'),
        ("rollout stauts deploy/web", 'did you mean "rollout status"?'),
        ("scale deploymnet/web --replicas=3", 'did you mean "deployment"?'),
        ("delete sevrice web", 'did you mean "service"?'),
        ("help lgos", 'did you mean "help logs"?'),
    ],
)
def test_typo_gets_did_you_mean(text: str, hint: str) -> None:
    assert _refusal(text).hint == hint


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("get pods 'unbalanced", "unbalanced quotes"),
        ('get pods -l "app=web', "unbalanced quotes"),
        ("get", "needs a resource type"),
        ("get pod/a b", "no need to specify a resource type"),
        ("get pods -o jsonpath=", "no template given"),
        ("get pods -o 'jsonpath={.items'", "unclosed action"),
        ("get pods -o 'jsonpath={end}'", "not in range, nothing to end"),
        ("get pods -o custom-columns=NAME", "expected <header>:<json-path-expr>"),
        ("get pods --field-selector nope", "invalid field selector"),
        ("get pods a -A", "across all namespaces"),
        ("get pods -n prod -A", "either -n NAMESPACE or -A"),
        ("get pods web -A", "across all namespaces"),
        ("get pods web -l app=web", "name cannot be given together with a selector"),
        ("get pods -o table", 'output format "table" is not supported'),
        ("get pods -o go-template={{.items}}", 'output format "go-template" is not supported'),
        ("get pods -n Prod", 'invalid namespace "Prod"'),
        ("get pods -n", "--namespace needs a value"),
        ("get pods -n a -n b", "given twice"),
        ("get pods -l 'a in (b'", "unbalanced"),
        ("get pods -l =web", "invalid selector"),
        ("get pods -l 'a b'", "invalid selector"),
        ("get pods -l '!a=b'", "invalid selector"),
        ("get pods -l 'a>b'", "invalid selector"),
        ("get pods -l 'a in (b c)'", "invalid selector"),
        ("get pods -l 'a)'", 'unbalanced ")"'),
        ("get pods -l 'Bad_Prefix/x=y'", "invalid selector"),
        ("get pods -l ' '", "the selector must not be empty"),
        ("get pods -n ''", "the namespace must not be empty"),
        (f"get pods -n {'a' * 64}", "at most 63 characters"),
        ("get pods/", 'invalid name ""'),
        ("get 9pods", 'invalid resource type "9pods"'),
        ("logs web -c Bad", 'invalid container name "Bad"'),
        ("logs web --since 9999999999h", "--since 9999999999h is too long"),
        ("delete pod ''", "the pod name must not be empty"),
        ("get pods | grep web", "pipes"),
        ("get pods > out.txt", "pipes"),
        ("get pods --replicas=3", 'unknown flag "--replicas" for get'),
        ("version --client", 'unknown flag "--client" for version'),
        ("version extra", "version takes no arguments"),
        ("describe", "describe needs a type"),
        ("describe 9pods", 'invalid resource type "9pods"'),
        ("describe pods/", "the pod name must not be empty"),
        ("describe ing/", 'invalid name ""'),
        ("describe pods a b", "one name at a time"),
        ("describe pod Web", 'invalid pod name "Web"'),
        ("logs", "logs needs a pod name"),
        ("logs web -l app=web", "either a pod name or -l SELECTOR"),
        ("logs cronjob/x", "logs works on pods, deployments, statefulsets, daemonsets, jobs only"),
        ("logs web a b", "at most one container"),
        ("logs web app -c side", "either as an argument or with -c"),
        ("logs web --tail=-2", 'invalid --tail "-2": use a number of lines, or -1 for all'),
        ("logs web -c app --all-containers", "--all-containers=true should not be specified"),
        ("logs web --tail abc", 'invalid --tail "abc"'),
        ("logs web --tail 1.5", 'invalid --tail "1.5"'),
        ("logs web --since 1d", 'invalid --since "1d"'),
        ("logs web --since 0s", "--since must be greater than 0"),
        ("logs web --since ten", 'invalid --since "ten"'),
        ("logs web -p=maybe", "takes true or false"),
        ("scale deploy/web", "scale needs --replicas=N"),
        ("scale deploy/web --replicas=-1", 'invalid --replicas "-1"'),
        ("scale deploy/web --replicas -1", 'invalid --replicas "-1"'),
        ("scale deploy/web --replicas=three", 'invalid --replicas "three"'),
        ("scale deploy/web --replicas=99999999999", "at most 2147483647"),
        ("scale deploy/web --replicas=2 --current-replicas=-1", 'invalid --current-replicas "-1"'),
        ("scale ds/db --replicas=2", "scale works on deployments, statefulsets only"),
        ("scale deploy/a deploy/b --replicas=2", "one deployment at a time"),
        ("scale web --replicas=2", "scale needs deployment/NAME"),
        ("set", "set needs a sub-command"),
        ("set image deploy/web", "at least one CONTAINER=IMAGE"),
        ("set image deploy web=nginx", "needs deployment/NAME"),
        ("set image deploy/web nginx", "expected CONTAINER=IMAGE"),
        ("set image deploy/web web=", "expected CONTAINER=IMAGE"),
        ("set image deploy/web a=x a=y", 'container "a" is given twice'),
        ("set image deploy/web a='bad image'", 'invalid image "bad image"'),
        ("rollout", "rollout needs a sub-command"),
        ("rollout status", "rollout status needs deployment/NAME"),
        ("rollout status deploy/web --revision=2", "--revision is only for rollout history"),
        ("rollout status deploy/web --timeout=10", 'invalid --timeout "10": use a duration'),
        ("rollout status deploy/web --watch=maybe", "--watch takes true or false"),
        ("rollout history deploy/web --to-revision=2", "--to-revision is only for rollout undo"),
        ("rollout undo deploy/web --to-revision=-1", 'invalid --to-revision "-1"'),
        ("rollout undo deploy/web extra", "rollout one object at a time"),
        ("delete", "delete needs a type"),
        ("delete pod", "delete needs a pod name or -l SELECTOR"),
        ("delete pod a b", "delete one object at a time"),
        ("delete svc web -l app=web", "either a name or -l SELECTOR"),
        ("delete --all pods", "--all is not available for delete"),
        ("help nothing", 'no help for "nothing"'),
        ("help get logs", "help takes one verb"),
        ("-n prod", "no command given"),
        ("frobnicate", 'unknown command "frobnicate"'),
    ],
)
def test_usage_errors(text: str, says: str) -> None:
    assert says in str(_refusal(text))


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("get pods --bogus", "get"),
        ("logs web --tail=x", "logs"),
        ("scale deploy/web", "scale"),
        ("set image deploy/web", "set image"),
        ("rollout undo deploy/web --revision=1", "rollout undo"),
        ("delete pod", "delete"),
        ("describe pod Web", "describe"),
        ("version --client", "version"),
        ('logs "$POD_NAME"', "logs"),
    ],
)
def test_usage_error_carries_the_verbs_usage_line(text: str, verb: str) -> None:
    assert _refusal(text).usage == usage(verb)


@pytest.mark.parametrize("text", ["exec web", "--as=x get pods", "gte pods", "get pods 'x"])
def test_errors_before_a_verb_is_known_have_no_usage_line(text: str) -> None:
    assert _refusal(text).usage is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('kubectl logs "$POD_NAME"', "$POD_NAME is a shell variable"),
        ('kubectl logs "$POD_NAME"', "type the pod's name instead (find it with get pods)"),
        ("kubectl describe pod $AFFECTED_POD", "type the pod's name"),
        ("describe services/$SVC", "type the service's name"),
        ("scale deploy/$D --replicas=1", "type the deployment's name"),
        ("get $KIND", "type the object's name"),
        ("cordon $NODE", "type the node's name"),
        ("logs deployment/$D", "type the deployment's name"),
    ],
)
def test_variable_error_tells_to_type_the_name(text: str, says: str) -> None:
    assert says in str(_refusal(text))


@pytest.mark.parametrize(
    "text",
    ["logs $(kubectl get pods -o name)", "logs `whoami`", "get pods -n ${NS}", "logs ${POD}"],
)
def test_command_substitution_is_not_expanded(text: str) -> None:
    assert "does not expand" in str(_refusal(text))


def test_overlong_command_is_refused_before_parsing() -> None:
    text = "get pods -l " + "a," * 3000 + "'"  # also unbalanced quoting: never reached
    with pytest.raises(UsageError, match=r"6,\d{3} bytes long, more than the 4,096") as caught:
        parse(text)
    assert caught.value.usage is None


def test_command_at_the_bound_is_parsed() -> None:
    selector = "a" * (MAX_COMMAND_BYTES - len("get pods -l "))
    with pytest.raises(UsageError, match="invalid selector"):  # parsed, refused on its merits
        parse(f"get pods -l {selector}")


@pytest.mark.parametrize(
    "selector",
    ["a" + " " * 2000 + "x", "a," * 1000 + "!", "!" + " " * 2000 + "a=b", "a " * 1000],
)
def test_bad_selector_error_quotes_an_excerpt(selector: str) -> None:
    with pytest.raises(UsageError, match="invalid selector") as caught:
        values.label_selector(selector)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    "text", ["describe pod web --show-labels", "logs web --show-labels", "get pods --show-label"]
)
def test_show_labels_never_suggests_wide_output(text: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        parse(text)
    assert "-o wide" not in str(caught.value)
    assert "-o wide" not in (caught.value.hint or "")


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
