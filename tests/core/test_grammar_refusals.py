"""The parser's refusals, table-driven: what each refused line says, and how (the reason, a
"did you mean", the verb's usage line, the bounds on a line's size)."""

from __future__ import annotations

import pytest

from bot.core import values
from bot.core.grammar import MAX_COMMAND_BYTES, parse
from bot.core.usage import usage
from bot.errors import UsageError


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
