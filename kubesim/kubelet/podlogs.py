"""Deterministic synthetic container logs and the kubelet's log selection rules.

There is no container runtime behind the sandbox, yet ``kubectl logs`` (and the bot's ``logs``
command) must show plausible output that respects ``--since``, ``--tail``, ``--timestamps``,
``--limit-bytes``, ``-p`` and ``-f``. Lines are a pure function of the pod, container, restart
count and time: the same request always yields the same text, and a follower sees exactly the
lines that appear as time moves on.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from kubesim.printing.cells import timestamp

JSON = dict[str, Any]
Line = tuple[datetime, str]

CADENCE = timedelta(seconds=5)
"""One regular line per container every five seconds."""
MAX_LINES = 2000
"""Only the most recent lines are kept, like a rotated container log."""

_RESOURCES = ("orders", "users", "items", "carts", "payments", "sessions")
_PATHS = ("/", "/index.html", "/healthz", "/api/v1/status", "/static/app.js", "/favicon.ico")
_AGENTS = ("kube-probe/1.32", "curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "Go-http-client/1.1")


def _hash(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _iso_ms(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# --- line styles ----------------------------------------------------------------------------


class _Style:
    """How one kind of image talks: startup banner, steady-state lines, last words."""

    def __init__(self, container: str) -> None:
        self.container = container

    def startup(self, when: datetime) -> list[str]:
        c, ts = self.container, _iso_ms(when)
        return [
            f"{ts} INFO  [{c}] starting {c} (pid 1)",
            f"{ts} INFO  [{c}] loaded configuration from /etc/{c}/config.yaml",
            f"{ts} INFO  [{c}] listening on :8080",
        ]

    def line(self, when: datetime, h: int) -> str:
        c = self.container
        resource = _RESOURCES[h % len(_RESOURCES)]
        duration = 2 + (h >> 8) % 180
        choice = (h >> 16) % 10
        if choice < 5:
            msg = f"INFO  [{c}] handled GET /api/{resource} status=200 duration={duration}ms"
        elif choice < 7:
            msg = f"INFO  [{c}] handled POST /api/{resource} status=201 duration={duration}ms"
        elif choice < 8:
            msg = f"DEBUG [{c}] cache hit ratio=0.{(h >> 24) % 90 + 10}"
        elif choice < 9:
            msg = f"WARN  [{c}] slow query on {resource} took {duration * 7}ms"
        else:
            msg = f"INFO  [{c}] health check ok"
        return f"{_iso_ms(when)} {msg}"

    def fatal(self, when: datetime, h: int) -> str:
        reason = _FATAL_REASONS[h % len(_FATAL_REASONS)]
        return f"{_iso_ms(when)} FATAL [{self.container}] unrecoverable error: {reason}"

    def done(self, when: datetime) -> str:
        return f"{_iso_ms(when)} INFO  [{self.container}] shutting down gracefully"


_FATAL_REASONS = (
    "dial tcp 10.96.0.12:5432: connect: connection refused",
    "open /etc/config/app.yaml: no such file or directory",
    "environment variable DATABASE_URL is not set",
)


class _Nginx(_Style):
    def startup(self, when: datetime) -> list[str]:
        stamp = when.strftime("%Y/%m/%d %H:%M:%S")
        entry = "/docker-entrypoint.sh:"
        return [
            f"{entry} /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
            f"{entry} Looking for shell scripts in /docker-entrypoint.d/",
            f"{entry} Configuration complete; ready for start up",
            f'{stamp} [notice] 1#1: using the "epoll" event method',
            f"{stamp} [notice] 1#1: start worker processes",
        ]

    def line(self, when: datetime, h: int) -> str:
        client = f"10.244.{(h >> 4) % 4}.{(h >> 12) % 250 + 1}"
        path = _PATHS[h % len(_PATHS)]
        status = 404 if path == "/favicon.ico" else 200
        size = 153 if status == 404 else 200 + (h >> 20) % 1500
        agent = _AGENTS[(h >> 28) % len(_AGENTS)]
        stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
        return f'{client} - - [{stamp}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}" "-"'

    def fatal(self, when: datetime, h: int) -> str:
        stamp = when.strftime("%Y/%m/%d %H:%M:%S")
        upstream = ("backend:8080", "api:3000", "app:8000")[h % 3]
        return (
            f'{stamp} [emerg] 1#1: host not found in upstream "{upstream}" in '
            "/etc/nginx/conf.d/default.conf:12"
        )

    def done(self, when: datetime) -> str:
        return f"{when.strftime('%Y/%m/%d %H:%M:%S')} [notice] 1#1: exit"


class _Json(_Style):
    def _head(self, level: str, when: datetime) -> str:
        return f'{{"level":"{level}","ts":"{_iso_ms(when)}","logger":"{self.container}"'

    def startup(self, when: datetime) -> list[str]:
        return [
            self._head("info", when) + ',"msg":"starting","version":"1.4.2"}',
            self._head("info", when) + ',"msg":"listening","addr":":8080"}',
        ]

    def line(self, when: datetime, h: int) -> str:
        resource = _RESOURCES[h % len(_RESOURCES)]
        duration = 2 + (h >> 8) % 180
        level = "warn" if (h >> 16) % 10 == 9 else "info"
        status = 500 if level == "warn" else 200
        return self._head(level, when) + (
            f',"msg":"request handled","method":"GET","path":"/api/{resource}",'
            f'"status":{status},"duration_ms":{duration}}}'
        )

    def fatal(self, when: datetime, h: int) -> str:
        reason = _FATAL_REASONS[h % len(_FATAL_REASONS)]
        return self._head("fatal", when) + f',"msg":"exiting","error":"{reason}"}}'

    def done(self, when: datetime) -> str:
        return self._head("info", when) + ',"msg":"stopped"}'


def _style(image: str, container: str) -> _Style:
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    if "json" in image:
        return _Json(container)
    if name.startswith("nginx") or name == "openresty":
        return _Nginx(container)
    return _Style(container)


# --- which run of the container -------------------------------------------------------------


def _find(pod: JSON, container: str) -> tuple[JSON, JSON]:
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    for spec_key, status_key in (
        ("containers", "containerStatuses"),
        ("initContainers", "initContainerStatuses"),
        ("ephemeralContainers", "ephemeralContainerStatuses"),
    ):
        for c in spec.get(spec_key) or []:
            if isinstance(c, dict) and c.get("name") == container:
                statuses: list[JSON] = status.get(status_key) or []
                cs = next((s for s in statuses if s.get("name") == container), {})
                return c, cs
    return {}, {}


class LogUnavailable(Exception):
    """The kubelet has no log to give for this request; the message is the kubelet's."""


def reads_previous(pod: JSON, container: str, *, previous: bool) -> bool:
    """Which run's log the kubelet serves: True for the last terminated one, False the current.

    ``validateContainerLogStatus`` (pkg/kubelet/kubelet_pods.go): ``previous`` needs a
    terminated last state; otherwise a running container is read, then a terminated one, then
    the last terminated run (a container waiting in CrashLoopBackOff shows its crash), and only
    a container that never ran is refused, with the kubelet's words for pull failures.
    """
    name = (pod.get("metadata") or {}).get("name", "")
    _, cs = _find(pod, container)
    where = f'container "{container}" in pod "{name}"'
    last = (cs.get("lastState") or {}).get("terminated")
    state = cs.get("state") or {}
    if previous:
        if not last:
            raise LogUnavailable(f"previous terminated {where} not found")
        return True
    if state.get("running") or state.get("terminated"):
        return False
    if last:
        return True
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    if reason == "ErrImagePull":
        raise LogUnavailable(f"{where} is waiting to start: image can't be pulled")
    if reason == "ImagePullBackOff":
        raise LogUnavailable(f"{where} is waiting to start: trying and failing to pull image")
    raise LogUnavailable(f"{where} is waiting to start: {reason}")


def _chosen_run(cs: JSON, *, previous: bool) -> tuple[JSON | None, int]:
    """The status of the run to read and its index (0 for the first run)."""
    restarts = int(cs.get("restartCount") or 0)
    if previous:
        run = (cs.get("lastState") or {}).get("terminated")
        return (run if isinstance(run, dict) else None), restarts - 1
    state = cs.get("state") or {}
    run = state.get("running") or state.get("terminated")
    return (run if isinstance(run, dict) else None), restarts


def log_lines(pod: JSON, container: str, *, previous: bool, until: datetime) -> list[Line]:
    """Every line (newest ``MAX_LINES``) the container run has written up to ``until``."""
    spec, cs = _find(pod, container)
    run, run_index = _chosen_run(cs, previous=previous)
    if run is None:
        return []
    start = timestamp(run.get("startedAt"))
    if start is None:
        return []
    finished = timestamp(run.get("finishedAt"))
    end = min(until, finished) if finished else until
    if end < start:
        return []
    if finished is not None and finished <= until:
        # Times are kept to the second: a run that ended within its first second still wrote
        # its start-up lines before its last words.
        end = max(end, start + timedelta(milliseconds=10))
    meta = pod.get("metadata") or {}
    seed = (meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}", container, run_index)
    style = _style(str(spec.get("image") or cs.get("image") or ""), container)
    lines: list[Line] = [
        (start + timedelta(milliseconds=3 * i), text) for i, text in enumerate(style.startup(start))
    ]
    lines = [line for line in lines if line[0] <= end]
    count = int((end - start) / CADENCE)
    first = max(1, count - MAX_LINES + 1)
    for k in range(first, count + 1):
        h = _hash(*seed, k)
        when = start + k * CADENCE + timedelta(milliseconds=h % 1000)
        if when <= end:
            lines.append((when, style.line(when, h)))
    if finished is not None and finished <= until:
        exit_code = run.get("exitCode") or 0
        last = max(finished - timedelta(milliseconds=1), start + timedelta(milliseconds=10))
        if exit_code == 0:
            lines.append((last, style.done(last)))
        elif run.get("reason") != "OOMKilled":  # the kernel kills it without last words
            lines.append((last, style.fatal(last, _hash(*seed, "fatal"))))
    lines.sort(key=lambda line: line[0])
    return lines[-MAX_LINES:]


# --- selection (kubelet / apiserver semantics) ----------------------------------------------


def rfc3339_nano(when: datetime) -> str:
    """Go's ``time.RFC3339Nano``: fractional seconds without trailing zeros."""
    base = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        base += "." + f"{when.microsecond:06d}".rstrip("0")
    return base + "Z"


def select(
    lines: list[Line],
    *,
    since_seconds: int | None = None,
    since_time: datetime | None = None,
    tail_lines: int | None = None,
    timestamps: bool = False,
    limit_bytes: int | None = None,
    now: datetime,
) -> str:
    """The response body for a log request: since, then tail, then prefix, then byte limit."""
    cutoff = since_time
    if since_seconds is not None:
        cutoff = now - timedelta(seconds=since_seconds)
    chosen = [line for line in lines if cutoff is None or line[0] >= cutoff]
    if tail_lines is not None and tail_lines >= 0:
        chosen = chosen[len(chosen) - tail_lines :] if tail_lines else []
    body = "".join(
        f"{rfc3339_nano(when)} {text}\n" if timestamps else f"{text}\n" for when, text in chosen
    )
    if limit_bytes is not None and limit_bytes >= 0:
        encoded = body.encode()
        if len(encoded) > limit_bytes:
            return encoded[:limit_bytes].decode(errors="ignore")
    return body


def lines_after(lines: list[Line], after: datetime | None) -> list[Line]:
    """Lines strictly newer than ``after`` (all of them for ``None``): the next follow chunk."""
    if after is None:
        return list(lines)
    return [line for line in lines if line[0] > after]
